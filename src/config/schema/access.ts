import { z } from "zod";

const bucketSchema = z
  .strictObject({
    perMinute: z
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe("Messages a sender may send per minute on one channel (refill rate; default 20)."),
    burst: z
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe("Messages a sender may send at once before the rate applies (bucket size; default 5)."),
  })
  .describe("A token bucket.");

/** `access`: Palisade's additions to OpenClaw's per-channel DM and group policies. */
export const accessSchema = z
  .strictObject({
    pairing: z
      .strictObject({
        mode: z
          .enum(["code", "challenge"])
          .optional()
          .describe(
            "code (default): an unknown sender gets a code the owner approves; challenge: the code goes to the owner and the sender must type it.",
          ),
        maxAttempts: z
          .int()
          .min(1)
          .max(20)
          .optional()
          .describe("Wrong codes a sender may type in challenge mode before being blocked (default 3)."),
        maxPending: z
          .int()
          .min(1)
          .max(100)
          .optional()
          .describe(
            "Open pairing requests per channel; further unknown senders are told to try later (default 3).",
          ),
        codeTtlMinutes: z
          .int()
          .min(1)
          .max(1440)
          .optional()
          .describe("How long a pairing code stays valid, minutes (default 60)."),
      })
      .optional()
      .describe("DM pairing of unknown senders (channels with dmPolicy pairing)."),
    ownerNotice: z
      .strictObject({
        channel: z.string().min(1).describe("Channel of the owner's chat, e.g. telegram."),
        accountId: z
          .string()
          .min(1)
          .optional()
          .describe('Channel account that sends the notice (default "default").'),
        to: z.union([z.string().min(1), z.number()]).describe("The owner's chat id on that channel."),
      })
      .optional()
      .describe(
        "Where pairing requests (and challenge codes) are announced to the owner; unset: CLI and RPC only.",
      ),
    rateLimit: z
      .strictObject({
        enabled: z
          .boolean()
          .optional()
          .describe("Set false to turn per-sender rate limits off (default on)."),
        ...bucketSchema.shape,
        limited: bucketSchema
          .optional()
          .describe("Bucket for senders with role limited (default 5/min, burst 2)."),
      })
      .optional()
      .describe("Per-sender, per-channel token bucket applied before the agent runs; owners are exempt."),
    roles: z
      .record(
        z.string().regex(/^[a-z0-9_-]{1,64}:.{1,256}$/, "use <channel>:<sender id>, e.g. telegram:123456"),
        z.enum(["owner", "trusted", "limited", "blocked"]),
      )
      .optional()
      .describe(
        'Roles by "<channel>:<sender id>": owner (approves pairings and commands from chat), trusted, limited, blocked. Config roles win over ones set with `palisade access`.',
      ),
  })
  .describe("Who may talk to the agent beyond each channel's dmPolicy and groupPolicy.");

/** The validated `access` section. */
export type AccessConfig = z.output<typeof accessSchema>;
