import { z } from "zod";
import { sandboxSchema } from "./sandbox.js";
import { agentExecSchema, elevatedSchema, toolPolicyShape } from "./tools.js";

/** A model reference: "provider/model" or { primary, fallbacks }. */
export const modelRefSchema = z
  .union([
    z.string().min(1),
    z.strictObject({
      primary: z.string().min(1).describe('Model id, e.g. "anthropic/claude-sonnet-4-5".'),
      fallbacks: z.array(z.string().min(1)).max(20).optional().describe("Tried in order when primary fails."),
    }),
  ])
  .describe('Model: "provider/model" or { primary, fallbacks }.');

const agentToolsSchema = z
  .strictObject({ ...toolPolicyShape, elevated: elevatedSchema.optional(), exec: agentExecSchema.optional() })
  .describe("Per-agent tool policy, applied on top of the global tools policy.");

const groupChatSchema = z
  .strictObject({
    mentionPatterns: z
      .array(z.string().min(1))
      .max(50)
      .optional()
      .describe("Regular expressions that count as a mention in groups."),
    historyLimit: z.int().min(0).max(500).optional().describe("Group messages kept as context."),
  })
  .describe("Group chat behaviour.");

/** Settings an agent can have, shared by agents.defaults and agents.list[]. */
const agentShape = {
  workspace: z.string().min(1).optional().describe("Workspace dir (default <stateDir>/workspace)."),
  model: modelRefSchema.optional(),
  sandbox: sandboxSchema.optional(),
  tools: agentToolsSchema.optional(),
  groupChat: groupChatSchema.optional(),
};

/** One agent in agents.list. */
export const agentSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "use lowercase letters, digits, - and _")
      .describe("Stable agent id (lowercase, digits, - and _)."),
    default: z.boolean().optional().describe("The agent that gets unbound traffic (at most one)."),
    name: z.string().min(1).optional().describe("Display name."),
    ...agentShape,
  })
  .describe("An agent.");

/** `agents`: defaults for every agent and the list of agents (empty list: one agent "main"). */
export const agentsSchema = z
  .strictObject({
    defaults: z
      .strictObject({
        ...agentShape,
        maxConcurrent: z
          .int()
          .min(1)
          .max(256)
          .optional()
          .describe("Agent runs at the same time across all sessions (OpenClaw's key; default 4)."),
      })
      .optional()
      .describe("Defaults for every agent."),
    list: z.array(agentSchema).max(100).optional().describe('Agents; when empty, one agent "main".'),
  })
  .describe("Agents: workspace, model, sandbox and tools.");

/** The validated `agents` section. */
export type AgentsConfig = z.output<typeof agentsSchema>;
/** One validated agent. */
export type AgentConfig = z.output<typeof agentSchema>;
