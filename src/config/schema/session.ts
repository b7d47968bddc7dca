import { z } from "zod";

const resetSchema = z
  .strictObject({
    mode: z
      .enum(["daily", "idle", "off"])
      .default("daily")
      .describe("daily: new session at atHour; idle: after idleMinutes without messages; off: never."),
    atHour: z.int().min(0).max(23).default(4).describe("Local hour of the daily reset (default 4)."),
    idleMinutes: z
      .int()
      .min(1)
      .max(525_600)
      .optional()
      .describe("Minutes without messages after which a new session starts."),
  })
  .describe("When a conversation starts a fresh session.");

/** `session`: how conversations map to sessions and when they reset. */
export const sessionSchema = z
  .strictObject({
    dmScope: z
      .enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"])
      .default("main")
      .describe(
        "How DMs share sessions: main (one session for all DMs), per-peer, per-channel-peer, per-account-channel-peer.",
      ),
    mainKey: z.string().min(1).optional().describe('Key of the main session (default "main").'),
    identityLinks: z
      .record(z.string().min(1), z.array(z.string().min(1)).max(100))
      .optional()
      .describe(
        'Treat several channel ids as one person: { alice: ["telegram:123", "whatsapp:+15550001"] }.',
      ),
    reset: resetSchema.optional(),
    resetByType: z
      .strictObject({
        direct: resetSchema.optional(),
        group: resetSchema.optional(),
        thread: resetSchema.optional(),
      })
      .optional()
      .describe("Reset rules per conversation type; override reset."),
    resetTriggers: z
      .array(z.string().min(1))
      .max(50)
      .optional()
      .describe('Chat commands that start a new session (default ["/new", "/reset"]).'),
  })
  .describe("Session keys and lifecycle.");

/** The validated `session` section. */
export type SessionConfig = z.output<typeof sessionSchema>;
