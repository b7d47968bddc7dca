/**
 * The names of the built-in tools, their groups and the profiles, as plain data. Config
 * validation imports this (to refuse unknown tool names) without loading any tool code; the
 * tools catalog (src/tools) builds on the same lists so the two can never disagree.
 */

/** Every built-in tool, named as OpenClaw names them. */
export const TOOL_NAMES = [
  "exec",
  "process",
  "read",
  "write",
  "edit",
  "apply_patch",
  "web_fetch",
  "message",
  "sessions_list",
  "sessions_history",
  "sessions_send",
  "session_status",
] as const;

/** A built-in tool name. */
export type ToolName = (typeof TOOL_NAMES)[number];

/** `group:*` shorthands usable in allow/deny lists (OpenClaw's groups, limited to our tools). */
export const TOOL_GROUPS: Readonly<Record<string, readonly ToolName[]>> = Object.freeze({
  "group:fs": ["read", "write", "edit", "apply_patch"],
  "group:runtime": ["exec", "process"],
  "group:web": ["web_fetch"],
  "group:sessions": ["sessions_list", "sessions_history", "sessions_send", "session_status"],
  "group:messaging": ["message"],
  "group:openclaw": [...TOOL_NAMES],
});

/** Base allowlists of the profiles; `full` (the default, as in OpenClaw) restricts nothing. */
export const TOOL_PROFILES: Readonly<Record<"minimal" | "coding" | "messaging" | "full", readonly string[]>> =
  Object.freeze({
    minimal: ["session_status"],
    coding: ["group:fs", "group:runtime", "group:sessions"],
    messaging: ["group:messaging", "sessions_list", "sessions_history", "sessions_send", "session_status"],
    full: ["*"],
  });

const NAME_SET: ReadonlySet<string> = new Set(TOOL_NAMES);

/** Turns a list entry with `*` wildcards into an anchored, case-insensitive pattern. */
export function toolEntryPattern(entry: string): RegExp {
  const body = entry
    .trim()
    .toLowerCase()
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

/**
 * Expands one allow/deny entry (a name, `group:*` or a `*` wildcard; case-insensitive) to the
 * tool names it covers. Unknown names and groups, and wildcards that match nothing, expand to
 * nothing; {@link unknownToolEntry} reports them.
 */
export function expandToolEntry(entry: string): ToolName[] {
  const e = entry.trim().toLowerCase();
  if (e.startsWith("group:")) return [...(TOOL_GROUPS[e] ?? [])];
  if (e.includes("*")) {
    const re = toolEntryPattern(e);
    return TOOL_NAMES.filter((n) => re.test(n));
  }
  return NAME_SET.has(e) ? [e as ToolName] : [];
}

/** Why an entry names no known tool (the message for config validation), or undefined when fine. */
export function unknownToolEntry(entry: string): string | undefined {
  if (expandToolEntry(entry).length > 0) return undefined;
  const e = entry.trim().toLowerCase();
  if (e.startsWith("group:"))
    return `unknown tool group "${entry}"; known groups: ${Object.keys(TOOL_GROUPS).join(", ")}`;
  if (e.includes("*")) return `"${entry}" matches no tool; known tools: ${TOOL_NAMES.join(", ")}`;
  return `unknown tool "${entry}"; known tools: ${TOOL_NAMES.join(", ")}`;
}
