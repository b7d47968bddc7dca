/** What every redacted span becomes. It has no border (no prefix equal to a suffix), so masks never overlap. */
export const REDACTED = "[REDACTED]";

/** A redaction rule: each match becomes {@link REDACTED}; a named group `keep` is kept in front. */
export interface RedactRule {
  /** Stable name, for tests and diagnostics. */
  readonly name: string;
  /** Global regex. When it has a named group `keep`, that prefix is kept and the rest masked. */
  readonly re: RegExp;
  /** Mask as a JSON string (`"[REDACTED]"`), for JSON values that were not strings. */
  readonly quote?: boolean;
}

/**
 * Key names whose values are secrets, matched at the end of a key: `token`, `botToken`,
 * `access_token`, `apiKey`, `x-api-key`, `client_secret`, `password`, ... but not `maxTokens`
 * or `sessionKey`, which are counts and routing keys.
 */
export const SENSITIVE_KEY_SOURCE =
  "[A-Za-z0-9_.-]*?(?:token|secret|password|passwd|passphrase|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?|authorization|cookie)";

/** True when `key` names a secret (same rule as the text patterns). */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY_RE.test(key);
}
const SENSITIVE_KEY_RE = new RegExp(`^${SENSITIVE_KEY_SOURCE}$`, "i");

const rule = (name: string, source: string, flags = "g", quote = false): RedactRule => ({
  name,
  re: new RegExp(source, flags),
  quote,
});

/** The built-in rules, applied unless `redactSensitive` is "off". Order does not matter. */
export const BUILTIN_RULES: readonly RedactRule[] = [
  // PEM private keys, also when cut off before the END line.
  rule(
    "pem-private-key",
    "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
  ),
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), OpenRouter (sk-or-) style keys.
  rule("sk-key", "(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}"),
  // Telegram bot tokens, also inside /bot<token>/ URLs.
  rule("telegram-bot-token", "(?<![0-9])[0-9]{5,12}:[A-Za-z0-9_-]{30,}"),
  // GitHub tokens.
  rule("github-token", "(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"),
  // Slack tokens and webhook paths.
  rule("slack-token", "(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}|(?<![A-Za-z0-9])xapp-[A-Za-z0-9-]{10,}"),
  rule("slack-webhook", "(?<keep>hooks\\.slack\\.com/services/)[A-Za-z0-9/_-]+"),
  // AWS access key ids and Google API keys.
  rule(
    "aws-access-key-id",
    "(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])",
  ),
  rule("google-api-key", "(?<![A-Za-z0-9])AIza[A-Za-z0-9_-]{35}"),
  // JSON Web Tokens.
  rule("jwt", "(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"),
  // Authorization-style headers: the whole value, whatever the scheme.
  rule(
    "auth-header",
    "(?<keep>\\b(?:(?:proxy-)?authorization|x-api-key|x-auth-token|api-key|cookie|set-cookie)\\s*:\\s*)[^\\s\"'\\\\][^\\r\\n\"'\\\\]*",
    "gi",
  ),
  // Bearer/Basic credentials anywhere.
  rule("bearer", "(?<keep>\\b(?:bearer|basic)\\s+)[A-Za-z0-9._~+/=-]{8,}", "gi"),
  // "token": "..." and "password": 1234 in JSON text; a number becomes the string "[REDACTED]".
  rule("json-string-value", `(?<keep>"${SENSITIVE_KEY_SOURCE}"\\s*:\\s*")(?:[^"\\\\]|\\\\.)+`, "gi"),
  rule("json-number-value", `(?<keep>"${SENSITIVE_KEY_SOURCE}"\\s*:\\s*)-?[0-9][0-9.eE+-]*`, "gi", true),
  // token=... / password=... / apiKey=... in query strings, env lines and CLI flags.
  rule("key-value", `(?<keep>(?<![A-Za-z0-9_.-])${SENSITIVE_KEY_SOURCE}=)[^\\s&;,"'#\\\\]+`, "gi"),
];
