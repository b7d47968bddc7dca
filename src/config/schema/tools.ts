import { z } from "zod";
import { allowEntrySchema, toolListSchema } from "./common.js";
import { unknownToolEntry } from "./tool-names.js";

/** A list of tool names, `group:*` entries or `*` wildcards; an entry naming no tool is an error. */
export const toolNameListSchema = toolListSchema.superRefine((list, ctx) => {
  list.forEach((entry, i) => {
    const why = unknownToolEntry(entry);
    if (why !== undefined) ctx.addIssue({ code: "custom", path: [i], message: why });
  });
});

/** Tool profiles: a base allowlist that allow/deny/alsoAllow then adjust. */
export const toolProfileSchema = z
  .enum(["minimal", "coding", "messaging", "full"])
  .describe("Base set of tools: minimal, coding, messaging or full.");

/** Allow/deny shape shared by global, per-agent and sandbox tool policies. */
export const toolPolicyShape = {
  profile: toolProfileSchema.optional(),
  allow: toolNameListSchema.optional().describe("Only these tools (names or group:*); replaces the profile."),
  deny: toolNameListSchema.optional().describe("Never these tools; deny always wins."),
  alsoAllow: toolNameListSchema.optional().describe("Tools added on top of the profile."),
};

/** `tools.elevated`: host-level exec escape hatch; off unless enabled, approvals required. */
export const elevatedSchema = z
  .strictObject({
    enabled: z.boolean().optional().describe("Allow elevated (host) exec at all (default false)."),
    allowFrom: z
      .union([z.array(allowEntrySchema), z.record(z.string().min(1), z.array(allowEntrySchema))])
      .optional()
      .describe("Who may use elevated mode: a list of agent/sender ids, or { <channel>: [ids] }."),
    requireApproval: z
      .boolean()
      .optional()
      .describe("Every elevated command waits for an operator approval (default true)."),
  })
  .describe("Elevated (unsandboxed host) execution.");

/**
 * Command patterns that run without asking: a binary name or absolute path (`git`,
 * `/usr/bin/git`, `*` wildcards allowed), optionally followed by leading arguments
 * (`git status`, `npm run *`). Every command of a pipeline or wrapper must match.
 */
export const execAllowlistSchema = z
  .array(z.string().min(1).max(500))
  .max(1000)
  .describe('Command patterns allowed without approval, e.g. "git status", "/usr/bin/make".');

/** Per-agent `tools.exec`: narrower security/ask and the agent's own command allowlist. */
export const agentExecSchema = z
  .strictObject({
    security: z.enum(["deny", "allowlist", "full"]).optional().describe("Overrides tools.exec.security."),
    ask: z.enum(["off", "on-miss", "always"]).optional().describe("Overrides tools.exec.ask."),
    allowlist: execAllowlistSchema.optional(),
  })
  .describe("Exec settings of one agent.");

/** `tools.exec`: how the exec tool runs commands. */
export const execSchema = z
  .strictObject({
    security: z
      .enum(["deny", "allowlist", "full"])
      .optional()
      .describe("deny: no exec; allowlist (default): only approved binaries; full: anything."),
    ask: z
      .enum(["off", "on-miss", "always"])
      .optional()
      .describe("When to ask an operator: off, on-miss (default: outside the allowlist), always."),
    host: z
      .enum(["sandbox", "gateway", "node"])
      .optional()
      .describe(
        "Where commands run. sandbox (default): the session's sandbox, or the gateway host (through the allowlist and approvals) when the session is not sandboxed. gateway: always the gateway host, through the allowlist and approvals. node: not supported yet; exec is refused.",
      ),
    safeBins: z.array(z.string().min(1)).max(500).optional().describe("Binaries allowed without asking."),
    timeoutSec: z
      .int()
      .min(1)
      .max(86_400)
      .optional()
      .describe("Kill a command after this many seconds (default 1800)."),
    backgroundMs: z.int().min(0).max(3_600_000).optional().describe("Move a command to background after."),
    pathPrepend: z.array(z.string().min(1)).max(50).optional().describe("Directories prepended to PATH."),
    allowlist: execAllowlistSchema.optional(),
    approvalTimeoutSec: z
      .int()
      .min(10)
      .max(86_400)
      .optional()
      .describe("A pending approval expires as denied after this many seconds (default 1800)."),
    maxOutputBytes: z
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .optional()
      .describe("Bytes of stdout and of stderr kept per command (default 200000)."),
  })
  .describe("The exec tool.");

/** `tools.web.fetch`: limits of the web_fetch tool. */
export const webFetchSchema = z
  .strictObject({
    enabled: z.boolean().optional().describe("Offer web_fetch at all (default true)."),
    maxBytes: z
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .optional()
      .describe("Largest response body read, bytes (default 2 MiB)."),
    maxChars: z
      .int()
      .min(100)
      .max(1_000_000)
      .optional()
      .describe("Text returned to the model (default 50000)."),
    timeoutSeconds: z.int().min(1).max(300).optional().describe("Whole fetch time limit (default 30)."),
    maxRedirects: z
      .int()
      .min(0)
      .max(10)
      .optional()
      .describe("Redirects followed, each re-checked (default 5)."),
  })
  .describe("The web_fetch tool.");

/** `tools.fs`: size caps of the filesystem tools. */
export const fsToolsSchema = z
  .strictObject({
    maxReadBytes: z
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .optional()
      .describe("Largest file read, bytes (default 1 MiB)."),
    maxWriteBytes: z
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .optional()
      .describe("Largest file written, bytes (default 1 MiB)."),
  })
  .describe("Filesystem tool limits.");

/** `tools.message`: where the message tool may send. */
export const messageToolSchema = z
  .strictObject({
    allowTargets: z
      .array(z.string().min(1).max(300))
      .max(1000)
      .optional()
      .describe('Targets as "<channel>:<to>" ("*" wildcards allowed); default: none.'),
  })
  .describe("The message tool.");

/** `tools`: global tool policy. */
export const toolsSchema = z
  .strictObject({
    ...toolPolicyShape,
    elevated: elevatedSchema.optional(),
    exec: execSchema.optional(),
    web: z.strictObject({ fetch: webFetchSchema.optional() }).optional().describe("Web tools."),
    fs: fsToolsSchema.optional(),
    message: messageToolSchema.optional(),
    sandbox: z
      .strictObject({
        tools: z.strictObject({ allow: toolNameListSchema.optional(), deny: toolNameListSchema.optional() }),
      })
      .optional()
      .describe("Tool policy applied inside sandboxes."),
  })
  .describe("Which tools agents may call and how.");

/** The validated `tools` section. */
export type ToolsConfig = z.output<typeof toolsSchema>;
