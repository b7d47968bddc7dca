import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fail } from "../core/errors.js";
import { BUILTIN_PROVIDERS } from "./registry.js";
import type { Env, ProviderConfig } from "./types.js";

/** Largest credential file read, bytes. */
const MAX_KEY_FILE_BYTES = 16 * 1024;
const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]*$/;

/** `<credentialsDir>/<providerId>.key`: where a provider's API key file lives. */
export function credentialFile(credentialsDir: string, providerId: string): string {
  return join(credentialsDir, `${providerId}.key`);
}

/**
 * Reads a provider's key file: a regular file (symlinks refused), not readable by group or
 * others (0600), at most 16 KiB; the key is the trimmed content. Undefined when missing.
 */
export function readCredentialKey(credentialsDir: string, providerId: string): string | undefined {
  if (!PROVIDER_ID.test(providerId)) return undefined;
  const file = credentialFile(credentialsDir, providerId);
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile()) throw fail("PAL_PROVIDER_KEY_FILE", { file, detail: "it is not a regular file" });
  if ((st.mode & 0o077) !== 0) {
    throw fail("PAL_PROVIDER_KEY_FILE", {
      file,
      detail: `group or others can read it; run chmod 600 ${file}`,
    });
  }
  if (st.size > MAX_KEY_FILE_BYTES)
    throw fail("PAL_PROVIDER_KEY_FILE", { file, detail: "it is larger than 16 KiB" });
  const key = readFileSync(file, "utf8").trim();
  return key === "" ? undefined : key;
}

/** The usual env var of a provider id: `openrouter` -> `OPENROUTER_API_KEY`. */
export function providerEnvVar(providerId: string): string {
  return (
    BUILTIN_PROVIDERS[providerId]?.envVar ?? `${providerId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY`
  );
}

/** Inputs of {@link withResolvedKeys}. */
export interface KeySources {
  /** `models.providers`. */
  readonly providers?: Readonly<Record<string, ProviderConfig>> | undefined;
  /** `models.mode`; in `replace` mode built-ins are not considered. */
  readonly mode?: "merge" | "replace" | undefined;
  /** `<stateDir>/credentials`; undefined skips key files. */
  readonly credentialsDir?: string | undefined;
  readonly env: Env;
}

/**
 * Fills in API keys, first source wins: the config's `apiKey` (already `${VAR}`-substituted),
 * then `<credentialsDir>/<provider>.key`, then the provider's usual env var. Built-in providers
 * with a key file are added so the file beats their env var. Keys are never logged.
 */
export function withResolvedKeys(src: KeySources): Record<string, ProviderConfig> {
  const out: Record<string, ProviderConfig> = {};
  const ids = new Set(Object.keys(src.providers ?? {}));
  if (src.mode !== "replace") for (const id of Object.keys(BUILTIN_PROVIDERS)) ids.add(id);
  for (const id of ids) {
    const cfg = src.providers?.[id];
    if (cfg?.apiKey !== undefined && cfg.apiKey !== "") {
      out[id] = cfg;
      continue;
    }
    const fromFile = src.credentialsDir === undefined ? undefined : readCredentialKey(src.credentialsDir, id);
    const fromEnv = src.env[providerEnvVar(id)] || undefined;
    const apiKey = fromFile ?? fromEnv;
    if (cfg !== undefined) out[id] = apiKey === undefined ? cfg : { ...cfg, apiKey };
    else if (fromFile !== undefined) out[id] = { apiKey: fromFile };
  }
  return out;
}
