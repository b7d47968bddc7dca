import type { PalisadePaths } from "../../core/paths.js";
import { lockFilePath, readLock } from "./lock.js";
import { readGeneratedToken } from "./token.js";

/** Flags a CLI client command may carry. */
export interface TargetFlags {
  url?: string | undefined;
  token?: string | undefined;
  password?: string | undefined;
}

/** Where and how a CLI client connects. */
export interface ClientTarget {
  url: string;
  token?: string | undefined;
  password?: string | undefined;
  /** Where the URL came from, for error messages. */
  source: "flag" | "env" | "local";
}

/** The parts of the loaded config this needs (kept narrow so it is cheap to call). */
export interface TargetConfig {
  gateway?: {
    port?: number;
    bind?: string;
    customBindHost?: string | undefined;
    auth?: { mode?: string; token?: string | undefined; password?: string | undefined } | undefined;
  };
}

/**
 * Resolves the gateway a CLI command talks to: `--url` / `PALISADE_GATEWAY_URL`, else the local
 * gateway from the lock file and config. Credentials come from `--token`/`--password`, then
 * `PALISADE_GATEWAY_TOKEN`/`PALISADE_GATEWAY_PASSWORD`; local secrets (config, generated token)
 * are only ever sent to the local gateway, never to a URL given on the command line, so a
 * mistyped or hostile `--url` cannot harvest them.
 */
export function resolveClientTarget(
  flags: TargetFlags,
  paths: PalisadePaths,
  local: TargetConfig,
  env: NodeJS.ProcessEnv = process.env,
): ClientTarget {
  const explicitUrl = flags.url ?? nonEmpty(env.PALISADE_GATEWAY_URL);
  const token = flags.token ?? nonEmpty(env.PALISADE_GATEWAY_TOKEN);
  const password = flags.password ?? nonEmpty(env.PALISADE_GATEWAY_PASSWORD);
  if (explicitUrl) {
    return { url: explicitUrl, token, password, source: flags.url ? "flag" : "env" };
  }
  const cfg = local.gateway ?? {};
  const lock = readLock(lockFilePath(paths.stateDir));
  const port = lock?.port ?? cfg.port ?? 18_789;
  const host = connectableHost(lock?.host) ?? localHost(cfg.bind, cfg.customBindHost);
  return {
    url: `ws://${host.includes(":") ? `[${host}]` : host}:${port}`,
    token: token ?? cfg.auth?.token ?? readGeneratedToken(paths.stateDir),
    password: password ?? cfg.auth?.password,
    source: "local",
  };
}

function connectableHost(h: string | undefined): string | undefined {
  if (h === undefined) return undefined;
  return h === "0.0.0.0" || h === "::" ? "127.0.0.1" : h;
}

function localHost(bind: string | undefined, custom: string | undefined): string {
  if (bind === "custom" && custom) return custom === "0.0.0.0" || custom === "::" ? "127.0.0.1" : custom;
  return "127.0.0.1";
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}
