import { chmodSync, mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fail } from "./errors.js";

/** Where Palisade keeps its state and config, resolved once per process. */
export interface PalisadePaths {
  /** State dir; default `~/.palisade`, created 0700. */
  readonly stateDir: string;
  /** Config file; default `<stateDir>/palisade.json`. */
  readonly configPath: string;
  /** True when the config path was given explicitly (flag or env), so a missing file is an error. */
  readonly configExplicit: boolean;
}

/** Inputs for {@link resolvePaths}; flags win over the environment, which wins over defaults. */
export interface PathOptions {
  /** `--state-dir`. */
  readonly stateDir?: string | undefined;
  /** `--config`. */
  readonly config?: string | undefined;
  /** Environment to read `PALISADE_STATE_DIR` / `PALISADE_CONFIG_PATH` from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Base for relative paths; default `process.cwd()`. */
  readonly cwd?: string;
}

function expandHome(p: string): string {
  if (p === "~") return homedir();
  if (p.startsWith("~/")) return join(homedir(), p.slice(2));
  return p;
}

/** Resolves the state dir and config path from flags, environment and defaults. */
export function resolvePaths(opts: PathOptions = {}): PalisadePaths {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const abs = (p: string) => {
    const e = expandHome(p);
    return isAbsolute(e) ? e : resolve(cwd, e);
  };
  const stateRaw = opts.stateDir ?? nonEmpty(env.PALISADE_STATE_DIR);
  const stateDir = stateRaw ? abs(stateRaw) : join(homedir(), ".palisade");
  const configRaw = opts.config ?? nonEmpty(env.PALISADE_CONFIG_PATH);
  return {
    stateDir,
    configPath: configRaw ? abs(configRaw) : join(stateDir, "palisade.json"),
    configExplicit: configRaw !== undefined,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}

/**
 * Creates `dir` (and parents) with mode 0700 if missing, and tightens an existing dir that is
 * group- or world-accessible. Fails with PAL_STATE_DIR when it is not a directory.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (!st.isDirectory()) throw new Error("it exists and is not a directory");
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  } catch (err) {
    throw fail("PAL_STATE_DIR", { dir, detail: (err as Error).message }, { cause: err });
  }
}
