import { readFile } from "node:fs/promises";
import { fail } from "../core/errors.js";
import type { PalisadePaths } from "../core/paths.js";
import { loadEnv } from "./env.js";
import { MAX_CONFIG_BYTES } from "./include.js";
import type { PalisadeConfig } from "./schema/root.js";
import { validateConfigText } from "./validate.js";
import { configHash } from "./write.js";

/** Inputs of {@link loadConfig}. */
export interface LoadOptions {
  /** State dir and config path (from `resolvePaths`). */
  readonly paths: PalisadePaths;
  /** Process environment; default `process.env`. `.env` files fill in what it lacks. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory whose `.env` is read first; default `process.cwd()`. */
  readonly cwd?: string;
}

/** A loaded, validated config and what it was made from. */
export interface LoadedConfig {
  /** The validated config with defaults filled in; frozen. */
  readonly config: PalisadeConfig;
  /** Absolute path of the config file. */
  readonly file: string;
  /** False when the default config file does not exist (all defaults apply). */
  readonly exists: boolean;
  /** sha256 hex of the file bytes ("" hashed when missing); the base for optimistic writes. */
  readonly hash: string;
  /** The file text as read ("" when missing). */
  readonly text: string;
  /** Process environment merged with `.env` values (environment wins); for providers later. */
  readonly env: Readonly<Record<string, string>>;
}

/** Reads the config file; undefined when it does not exist. */
export async function readConfigFile(file: string): Promise<Buffer | undefined> {
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength > MAX_CONFIG_BYTES)
      throw fail("PAL_CONFIG_READ_FAILED", { file, detail: "it is larger than 2 MiB" });
    return bytes;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if ((err as { code?: string }).code === "PAL_CONFIG_READ_FAILED") throw err;
    throw fail("PAL_CONFIG_READ_FAILED", { file, detail: (err as Error).message }, { cause: err });
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/**
 * Loads and validates the config: `.env` files (cwd, then state dir; the environment wins),
 * JSON5, `$include`, `${VAR}`, schema. A missing default file is an empty config; a missing
 * file named by --config / PALISADE_CONFIG_PATH is PAL_CONFIG_NOT_FOUND. Any problem throws a
 * ConfigError PAL_CONFIG_INVALID whose `details.problems` lists every {@link Diagnostic}.
 */
export async function loadConfig(opts: LoadOptions): Promise<LoadedConfig> {
  const { paths } = opts;
  const file = paths.configPath;
  const env = loadEnv({
    env: opts.env ?? process.env,
    cwd: opts.cwd ?? process.cwd(),
    stateDir: paths.stateDir,
  });
  const bytes = await readConfigFile(file);
  if (!bytes && paths.configExplicit) throw fail("PAL_CONFIG_NOT_FOUND", { file });
  const text = bytes ? bytes.toString("utf8") : "";
  const result = validateConfigText(text, file, env);
  if (!result.ok)
    throw fail(
      "PAL_CONFIG_INVALID",
      { file, count: result.problems.length },
      { details: { file, problems: result.problems } },
    );
  return {
    config: deepFreeze(result.config),
    file,
    exists: bytes !== undefined,
    hash: configHash(bytes ?? ""),
    text,
    env,
  };
}
