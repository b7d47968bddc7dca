import { z } from "zod";

const matchSchema = z
  .strictObject({
    channel: z.string().min(1).describe("Channel name, e.g. telegram."),
    accountId: z.string().min(1).optional().describe('Channel account id; "*" matches any account.'),
    peer: z
      .strictObject({
        kind: z.enum(["direct", "dm", "group", "channel"]).describe("Conversation type."),
        id: z.string().min(1).describe("Peer id on the channel."),
      })
      .optional()
      .describe("A specific conversation."),
    guildId: z.string().min(1).optional().describe("Discord guild id."),
    teamId: z.string().min(1).optional().describe("Slack/Teams team id."),
    roles: z.array(z.string().min(1)).max(100).optional().describe("Discord role ids; any one matches."),
  })
  .describe("What inbound traffic this binding catches; the most specific binding wins.");

/** One routing rule: inbound traffic matching `match` goes to agent `agentId`. */
export const bindingSchema = z
  .strictObject({
    agentId: z.string().min(1).describe("Id of an agent in agents.list."),
    match: matchSchema,
    comment: z.string().optional().describe("Free text for humans."),
  })
  .describe("Routes matching inbound messages to an agent.");

/** `bindings`: multi-agent routing; empty sends everything to the default agent. */
export const bindingsSchema = z.array(bindingSchema).max(1000).describe("Routing rules (multi-agent).");

/** One validated binding. */
export type BindingConfig = z.output<typeof bindingSchema>;
