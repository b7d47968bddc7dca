import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir } from "../../core/paths.js";

/** Placeholder values people leave in configs; never accepted as a real secret. */
const PLACEHOLDERS =
  /^(changeme|change-me|secret|password|token|your[-_]?token|xxx+|todo|replace[-_]?me|<.*>|\$\{.*\})$/i;

/** True when a secret is empty or an obvious placeholder. */
export function isPlaceholderSecret(value: string | undefined): boolean {
  return value === undefined || value.trim() === "" || PLACEHOLDERS.test(value.trim());
}

/** Where the generated gateway token is kept: `<stateDir>/credentials/gateway.token` (0600). */
export function generatedTokenPath(stateDir: string): string {
  return join(stateDir, "credentials", "gateway.token");
}

/** Reads the generated token, if one was made before. */
export function readGeneratedToken(stateDir: string): string | undefined {
  const file = generatedTokenPath(stateDir);
  if (!existsSync(file)) return undefined;
  const t = readFileSync(file, "utf8").trim();
  return t === "" ? undefined : t;
}

/** Result of {@link ensureGatewayToken}. */
export interface TokenResult {
  readonly token: string;
  /** True when this call generated it (first run). */
  readonly generated: boolean;
  readonly file: string;
}

/**
 * Returns the token stored in the state dir, generating 32 random bytes (hex, 64 chars) on first
 * use. Written 0600 in a 0700 dir, atomically, so a crash never leaves half a token.
 */
export function ensureGatewayToken(stateDir: string): TokenResult {
  const file = generatedTokenPath(stateDir);
  const existing = readGeneratedToken(stateDir);
  if (existing) return { token: existing, generated: false, file };
  ensurePrivateDir(join(stateDir, "credentials"));
  const token = randomBytes(32).toString("hex");
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return { token, generated: true, file };
}
