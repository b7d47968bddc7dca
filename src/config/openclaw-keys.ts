/**
 * Top-level sections OpenClaw has and Palisade does not support yet. A config copied from
 * OpenClaw that uses them is refused with a plain message instead of "unknown key", so the user
 * knows the key is real but not available here. (`meta`, `wizard` and `$schema`, which OpenClaw
 * writes itself, are in the schema and ignored.)
 */
export const OPENCLAW_UNSUPPORTED_SECTIONS: ReadonlySet<string> = new Set([
  "acp",
  "approvals",
  "audio",
  "auth",
  "broadcast",
  "browser",
  "canvasHost",
  "cli",
  "commands",
  "cron",
  "diagnostics",
  "env",
  "hooks",
  "mcp",
  "media",
  "memory",
  "messages",
  "multiAgent",
  "nodeHost",
  "plugins",
  "secrets",
  "skills",
  "talk",
  "ui",
  "update",
  "web",
]);

/** Keys under `agents.defaults` / `agents.list[]` that OpenClaw has and Palisade does not yet. */
export const OPENCLAW_UNSUPPORTED_AGENT_KEYS: ReadonlySet<string> = new Set([
  "blockStreamingDefault",
  "compaction",
  "contextPruning",
  "heartbeat",
  "humanDelay",
  "identity",
  "imageMaxDimensionPx",
  "memorySearch",
  "models",
  "skills",
  "subagents",
  "thinkingDefault",
  "timeoutSeconds",
  "typingMode",
  "verboseDefault",
]);

/** The plain message for a known-but-unsupported OpenClaw key. */
export function unsupportedMessage(key: string): string {
  return `"${key}" is an OpenClaw setting Palisade does not support yet; remove it`;
}
