import { z } from "zod";
import { allowEntrySchema, toolListSchema } from "./common.js";

/** Tool profiles: a base allowlist that allow/deny/alsoAllow then adjust. */
export const toolProfileSchema = z
  .enum(["minimal", "coding", "messaging", "full"])
  .describe("Base set of tools: minimal, coding, messaging or full.");

/** Allow/deny shape shared by global, per-agent and sandbox tool policies. */
export const toolPolicyShape = {
  profile: toolProfileSchema.optional(),
  allow: toolListSchema.optional().describe("Only these tools (names or group:*); replaces the profile."),
  deny: toolListSchema.optional().describe("Never these tools; deny always wins."),
  alsoAllow: toolListSchema.optional().describe("Tools added on top of the profile."),
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
    host: z.enum(["sandbox", "gateway", "node"]).optional().describe("Where commands run (default sandbox)."),
    safeBins: z.array(z.string().min(1)).max(500).optional().describe("Binaries allowed without asking."),
    timeoutSec: z
      .int()
      .min(1)
      .max(86_400)
      .optional()
      .describe("Kill a command after this many seconds (default 1800)."),
    backgroundMs: z.int().min(0).max(3_600_000).optional().describe("Move a command to background after."),
    pathPrepend: z.array(z.string().min(1)).max(50).optional().describe("Directories prepended to PATH."),
  })
  .describe("The exec tool.");

/** `tools`: global tool policy. */
export const toolsSchema = z
  .strictObject({
    ...toolPolicyShape,
    elevated: elevatedSchema.optional(),
    exec: execSchema.optional(),
    sandbox: z
      .strictObject({
        tools: z.strictObject({ allow: toolListSchema.optional(), deny: toolListSchema.optional() }),
      })
      .optional()
      .describe("Tool policy applied inside sandboxes."),
  })
  .describe("Which tools agents may call and how.");

/** The validated `tools` section. */
export type ToolsConfig = z.output<typeof toolsSchema>;
