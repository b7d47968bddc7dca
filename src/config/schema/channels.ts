import { z } from "zod";
import { allowListSchema, secretStringSchema } from "./common.js";

const groupSchema = z
  .strictObject({
    enabled: z.boolean().optional().describe("Set false to ignore this group."),
    requireMention: z
      .boolean()
      .optional()
      .describe("Answer only when mentioned (default true: groups need a mention)."),
    allowFrom: allowListSchema
      .optional()
      .describe("Senders allowed in this group; overrides groupAllowFrom."),
  })
  .describe("Settings for one group.");

/** Access-control keys every channel and every channel account has. */
export const channelAccessShape = {
  enabled: z.boolean().optional().describe("Set false to keep the channel configured but stopped."),
  dmPolicy: z
    .enum(["pairing", "allowlist", "open", "disabled"])
    .optional()
    .describe(
      'Direct messages: pairing (default; unknown senders get a code to approve), allowlist, open (needs "*" in allowFrom), disabled.',
    ),
  allowFrom: allowListSchema.optional().describe("Senders allowed to DM (besides approved pairings)."),
  groupPolicy: z
    .enum(["open", "allowlist", "disabled"])
    .optional()
    .describe(
      "Groups: allowlist (default; only configured groups), open (mention still required), disabled.",
    ),
  groupAllowFrom: allowListSchema.optional().describe("Senders allowed to trigger the agent in groups."),
  groups: z
    .record(z.string().min(1), groupSchema)
    .optional()
    .describe('Per-group settings by group id; "*" sets the default for every group.'),
};

/** Builds a channel schema: shared access keys + channel-specific keys, also allowed per account. */
function channel<S extends z.ZodRawShape>(extra: S, description: string) {
  const account = z
    .strictObject({
      name: z.string().min(1).optional().describe("Display name of this account."),
      ...channelAccessShape,
      ...extra,
    })
    .describe("One account of this channel; its keys override the channel-level ones.");
  return z
    .strictObject({
      ...channelAccessShape,
      ...extra,
      accounts: z
        .record(z.string().min(1), account)
        .optional()
        .describe("Several accounts (bots, numbers) on this channel, by account id."),
    })
    .describe(description);
}

const tokenShape = {
  botToken: secretStringSchema.optional().describe("Bot token; write it as ${VAR}."),
  tokenFile: z.string().min(1).optional().describe("File holding the bot token (instead of botToken)."),
};

/** Telegram (Bot API, long polling by default). */
export const telegramSchema = channel(
  {
    ...tokenShape,
    apiRoot: z.url().optional().describe("Bot API base URL (default https://api.telegram.org)."),
    webhookUrl: z.url().optional().describe("Public HTTPS URL for webhook mode; long polling when unset."),
    webhookSecret: secretStringSchema.optional().describe("Secret token Telegram sends with webhooks."),
    proxy: z.string().min(1).optional().describe("HTTP(S) proxy for Bot API calls."),
    webhookPath: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]{0,200}$/)
      .optional()
      .describe("Path the webhook listener answers on (default /telegram-webhook)."),
    webhookHost: z
      .string()
      .min(1)
      .optional()
      .describe("Address the webhook listener binds (default 127.0.0.1)."),
    webhookPort: z
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe("Port of the webhook listener (default 8787)."),
    textChunkLimit: z
      .int()
      .min(100)
      .max(4096)
      .optional()
      .describe(
        "Longest reply message, characters; longer replies are split (default 4000, Telegram's cap is 4096).",
      ),
    maxConcurrentSends: z
      .int()
      .min(1)
      .max(30)
      .optional()
      .describe(
        "New messages in flight at once per bot (default 1): each one is a reply a crash could duplicate.",
      ),
    chunkMode: z
      .enum(["length", "newline"])
      .optional()
      .describe("length (default): split near the limit; newline: split at every blank line first."),
    streamMode: z
      .enum(["off", "partial"])
      .optional()
      .describe(
        "partial (default): show the reply while it is written by editing one message; off: send when done.",
      ),
    replyToMode: z
      .enum(["off", "first", "all"])
      .optional()
      .describe("Thread replies to the message they answer: first chunk (default), all chunks, or off."),
    formatting: z
      .enum(["html", "plain"])
      .optional()
      .describe(
        "html (default): Markdown from the model becomes Telegram HTML, with a plain-text fallback; plain: never.",
      ),
    timeoutSeconds: z
      .int()
      .min(1)
      .max(600)
      .optional()
      .describe("Bot API request timeout, seconds (default 60)."),
    pollTimeoutSeconds: z
      .int()
      .min(0)
      .max(50)
      .optional()
      .describe("Long-poll wait per getUpdates, seconds (default 25)."),
    streamThrottleMs: z
      .int()
      .min(250)
      .max(60_000)
      .optional()
      .describe("Least time between streaming edits, ms (default 1000)."),
    maxAttempts: z
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe("Processing attempts before a message is dead-lettered (default 5)."),
  },
  "Telegram bot.",
);

/** WhatsApp (linked device). */
export const whatsappSchema = channel(
  { authDir: z.string().min(1).optional().describe("Where the linked-device session is stored.") },
  "WhatsApp via a linked device.",
);

/** Discord bot. */
export const discordSchema = channel(
  {
    token: secretStringSchema.optional().describe("Bot token; write it as ${VAR}."),
    tokenFile: tokenShape.tokenFile,
  },
  "Discord bot.",
);

/** Slack app (socket mode). */
export const slackSchema = channel(
  {
    botToken: tokenShape.botToken,
    appToken: secretStringSchema.optional().describe("App-level token for socket mode; write it as ${VAR}."),
  },
  "Slack app.",
);

/** Signal via signal-cli. */
export const signalSchema = channel(
  {
    account: z.string().min(1).optional().describe("Phone number of the Signal account."),
    httpUrl: z.url().optional().describe("signal-cli HTTP endpoint."),
  },
  "Signal via signal-cli.",
);

/** Built-in web chat served by the gateway. */
export const webchatSchema = channel({}, "Web chat in the Control UI.");

/** `channels`: one entry per messaging channel; a configured channel starts unless enabled is false. */
export const channelsSchema = z
  .strictObject({
    defaults: z
      .strictObject({
        groupPolicy: channelAccessShape.groupPolicy,
        dmPolicy: channelAccessShape.dmPolicy,
        maxAttempts: z
          .int()
          .min(1)
          .max(100)
          .optional()
          .describe("Processing attempts before an inbound message is dead-lettered (default 5)."),
        maxConcurrent: z
          .int()
          .min(1)
          .max(1024)
          .optional()
          .describe(
            "Inbound messages processed at once across sessions (default 64); one at a time per session.",
          ),
      })
      .optional()
      .describe("Defaults for every channel."),
    telegram: telegramSchema.optional(),
    whatsapp: whatsappSchema.optional(),
    discord: discordSchema.optional(),
    slack: slackSchema.optional(),
    signal: signalSchema.optional(),
    webchat: webchatSchema.optional(),
  })
  .describe("Messaging channels and who may talk to the agent through them.");

/** The validated `channels` section. */
export type ChannelsConfig = z.output<typeof channelsSchema>;
/** Access keys common to every channel and account, validated. */
export type ChannelAccessConfig = z.output<z.ZodObject<typeof channelAccessShape>>;
