import { lstatSync, readFileSync, type Stats } from "node:fs";
import { join } from "node:path";
import { loadEnv, readConfigFile, readRawTree, validateConfigText } from "../../config/index.js";
import type { PalisadePaths } from "../../core/paths.js";
import { realProbes } from "../probes.js";
import { obj, str } from "./helpers.js";
import type { AuditContext, HostProbes } from "./types.js";

/** Inputs of {@link buildAuditContext}. */
export interface AuditContextOptions {
  readonly paths: PalisadePaths;
  /** Process environment; default `process.env`. `.env` files fill in what it lacks. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory whose `.env` is read first; default `process.cwd()`. */
  readonly cwd?: string;
  /** Host probes; default the real Docker socket and bwrap binary. */
  readonly probes?: HostProbes;
}

function safeStat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function readToken(stateDir: string): string | undefined {
  try {
    const t = readFileSync(join(stateDir, "credentials", "gateway.token"), "utf8").trim();
    return t === "" ? undefined : t;
  } catch {
    return undefined;
  }
}

/**
 * Reads everything the checks need once: the config as written and as validated (an invalid
 * config is still audited from its raw tree), the effective gateway token and the host probes.
 * Never throws for a bad config; an unreadable one is reported as a problem.
 */
export async function buildAuditContext(opts: AuditContextOptions): Promise<AuditContext> {
  const { paths } = opts;
  const env = loadEnv({
    env: opts.env ?? process.env,
    cwd: opts.cwd ?? process.cwd(),
    stateDir: paths.stateDir,
  });
  const problems: string[] = [];
  let text = "";
  try {
    text = (await readConfigFile(paths.configPath))?.toString("utf8") ?? "";
  } catch (err) {
    problems.push((err as Error).message);
  }
  const rawTree = readRawTree(text, paths.configPath, env);
  const result = validateConfigText(text, paths.configPath, env);
  if (!result.ok) problems.push(...result.problems.map((p) => p.text));
  const config = result.ok ? result.config : undefined;
  // An invalid config is still audited: resolve the token from the raw tree then.
  const rawToken = str(obj(obj(obj(rawTree.value).gateway).auth).token);
  const configured =
    str(obj(obj(obj(config).gateway).auth).token) ??
    (rawToken === undefined
      ? undefined
      : rawToken.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, n: string) => env[n] ?? ""));
  const probes = opts.probes ?? realProbes;
  const [docker, bwrap] = await Promise.all([probes.dockerAvailable(), probes.bwrapAvailable()]);
  return {
    paths,
    env,
    text,
    raw: rawTree.value,
    config,
    problems,
    gatewayToken: configured && configured.trim() !== "" ? configured : readToken(paths.stateDir),
    docker,
    bwrap,
    stat: safeStat,
  };
}
