/** Shortest secret worth scrubbing; shorter strings would mangle ordinary text. */
const MIN_SECRET = 6;

/**
 * Replaces every known secret in `text` with `[redacted]`, plus anything shaped like a bearer
 * token or `sk-` key, so error details shown to operators never carry an API key.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= MIN_SECRET) out = out.split(s).join("[redacted]");
  }
  return out
    .replace(/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]")
    .replace(/\bsk-[A-Za-z0-9_-]{8,}/g, "[redacted]");
}

/** A short, single-line, secret-free description of any thrown value. */
export function describeError(err: unknown, secrets: readonly string[], max = 300): string {
  const raw = err instanceof Error ? err.message : String(err);
  const oneLine = redactSecrets(raw, secrets).replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
