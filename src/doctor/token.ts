import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  configHash,
  getAtPath,
  readConfigFile,
  readRawTree,
  setConfigText,
  writeConfigFileAtomic,
} from "../config/index.js";
import { ensurePrivateDir, type PalisadePaths } from "../core/paths.js";

/** Variable used when the config held the token inline or as a reference we must create. */
export const GATEWAY_TOKEN_VAR = "PALISADE_GATEWAY_TOKEN";

/** What {@link generateGatewayToken} did, in plain sentences for the operator. */
export interface TokenGeneration {
  readonly actions: string[];
  /** Where the token now lives (a file path, never the token). */
  readonly location: string;
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Sets `NAME=value` in a .env file (0600), replacing an existing line for NAME. */
function setDotEnv(file: string, name: string, value: string): void {
  const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n") : [];
  const kept = lines.filter((l) => !new RegExp(`^\\s*(export\\s+)?${name}\\s*=`).test(l) && l !== "");
  writePrivate(file, `${[...kept, `${name}=${value}`].join("\n")}\n`);
}

/**
 * Generates a fresh 256-bit gateway token and stores it where the config reads it, never in the
 * config file itself:
 * - `gateway.auth.token` unset: `<stateDir>/credentials/gateway.token` (what the gateway reads);
 * - `gateway.auth.token` = `${VAR}`: `VAR=<token>` in `<stateDir>/.env`;
 * - written inline: the config is changed to `${PALISADE_GATEWAY_TOKEN}` and the .env line written.
 * `gateway.remote.token` written as the same `${VAR}` follows automatically.
 */
export async function generateGatewayToken(
  paths: PalisadePaths,
  env: Readonly<Record<string, string | undefined>>,
): Promise<TokenGeneration> {
  const token = randomBytes(32).toString("hex");
  ensurePrivateDir(paths.stateDir);
  const text = (await readConfigFile(paths.configPath))?.toString("utf8") ?? "";
  const raw = readRawTree(text, paths.configPath, env);
  const found = getAtPath(raw.value ?? {}, ["gateway", "auth", "token"]);
  const written = found.found && typeof found.value === "string" ? found.value : undefined;
  const actions: string[] = [];
  const envFile = join(paths.stateDir, ".env");
  if (written === undefined) {
    ensurePrivateDir(join(paths.stateDir, "credentials"));
    const file = join(paths.stateDir, "credentials", "gateway.token");
    writePrivate(file, `${token}\n`);
    actions.push(
      `wrote a new 32-byte token to ${file} (0600); gateway.auth.token is unset, so the gateway reads this file`,
    );
    return { actions, location: file };
  }
  const ref = /^\s*\$\{([A-Z_][A-Z0-9_]*)\}\s*$/.exec(written);
  const name = ref?.[1] ?? GATEWAY_TOKEN_VAR;
  if (!ref) {
    let next = setConfigText(text, ["gateway", "auth", "token"], `\${${name}}`);
    const remote = getAtPath(raw.value ?? {}, ["gateway", "remote", "token"]);
    if (remote.found && remote.value === written)
      next = setConfigText(next, ["gateway", "remote", "token"], `\${${name}}`);
    await writeConfigFileAtomic(paths.configPath, next, { baseHash: configHash(text) });
    actions.push(`replaced the inline gateway.auth.token in ${paths.configPath} with \${${name}}`);
  }
  setDotEnv(envFile, name, token);
  actions.push(`wrote ${name}=<new 32-byte token> to ${envFile} (0600)`);
  if (env[name] !== undefined)
    actions.push(
      `note: ${name} is also set in this environment, which wins over .env; update it there too (e.g. the systemd EnvironmentFile)`,
    );
  return { actions, location: envFile };
}
