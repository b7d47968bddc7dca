/**
 * `channels.status` (health and inbox counts per channel account), `channels.deadletters` (what
 * failed for good, for the operator) and `channels.requeue` (retry one dead letter).
 */
import { z } from "zod";
import type { ChannelStatus } from "../../channels/index.js";
import { fail } from "../../core/errors.js";
import type { InboxRow } from "../../store/index.js";
import type { MethodRegistry } from "../method-registry.js";

/** What the channel methods read; the channel manager implements it. */
export interface ChannelsService {
  status(): ChannelStatus[];
  deadLetters(opts: { channel?: string; limit?: number }): InboxRow[];
  requeue(id: number): boolean;
}

/** `channels.deadletters` params. */
export const deadLettersParams = z.object({
  channel: z.string().min(1).max(64).optional(),
  limit: z.int().min(1).max(1000).optional(),
});

/** `channels.requeue` params. */
export const requeueParams = z.object({ id: z.int().min(1) });

/** A dead letter as the operator sees it: ids and the error, plus a short preview of the text. */
export function deadLetterView(row: InboxRow): Record<string, unknown> {
  const text = (row.payload as { text?: unknown } | null)?.text;
  return {
    id: row.id,
    channel: row.channel,
    accountId: row.accountId,
    messageId: row.messageId,
    senderId: row.senderId,
    chatId: row.chatId,
    attempts: row.attempts,
    lastError: row.lastError,
    receivedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    preview: typeof text === "string" ? text.slice(0, 80) : "",
  };
}

/** Registers the channel methods. */
export function registerChannelMethods(methods: MethodRegistry, service: ChannelsService): void {
  methods.register({
    name: "channels.status",
    scope: "operator.read",
    params: z.object({}).optional(),
    handler: () => ({ ts: Date.now(), channels: service.status() }),
  });
  methods.register({
    name: "channels.deadletters",
    scope: "operator.read",
    params: deadLettersParams.optional(),
    handler: (p) => ({
      deadLetters: service
        .deadLetters({
          ...(p?.channel === undefined ? {} : { channel: p.channel }),
          ...(p?.limit === undefined ? {} : { limit: p.limit }),
        })
        .map(deadLetterView),
    }),
  });
  methods.register({
    name: "channels.requeue",
    scope: "operator.admin",
    params: requeueParams,
    sideEffect: true,
    idempotencyOptional: true,
    handler: (p) => {
      if (!service.requeue(p.id)) throw fail("PAL_CHANNEL_MESSAGE_NOT_FOUND", { id: p.id });
      return { ok: true, id: p.id };
    },
  });
}
