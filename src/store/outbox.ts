import { z } from "zod";
import { fail } from "../core/errors.js";
import type { Store } from "./store.js";

/**
 * A reply chunk's state: `draft` (a streaming preview was sent and may still be edited),
 * `pending` (planned, not confirmed sent), `sent` (the platform accepted it; never sent again).
 */
export type OutboxStatus = "draft" | "pending" | "sent";

/** One planned or sent reply chunk of an inbox message. */
export interface OutboxChunk {
  readonly inboxId: number;
  /** Position in the reply, from 0. */
  readonly seq: number;
  readonly text: string;
  readonly status: OutboxStatus;
  /** The platform's id of the sent (or draft) message, when known. */
  readonly platformMessageId: string | null;
}

/**
 * The outbox: what was answered to each inbox message. The reply is planned (all chunks,
 * `pending`) in one write once the agent finished, so a restart re-sends only the chunks not
 * marked `sent` and never runs the model again for that message; a chunk is marked sent right
 * after the platform accepted it.
 */
export interface OutboxStore {
  /** Chunks of a message, in order. */
  chunks(inboxId: number): OutboxChunk[];
  /**
   * Records the final reply as chunks. Sent chunks stay as they are; others are replaced. A draft
   * at seq 0 keeps its platform id so delivery edits it instead of sending a second message.
   */
  plan(inboxId: number, texts: readonly string[]): OutboxChunk[];
  /** Records (or updates) the streaming preview message of a reply (seq 0, `draft`). */
  saveDraft(inboxId: number, platformMessageId: string, text: string): void;
  /** Marks a chunk sent with the platform's message id. */
  markSent(inboxId: number, seq: number, platformMessageId: string | null): void;
}

const rowSchema = z.object({
  inbox_id: z.number(),
  seq: z.number(),
  text: z.string(),
  status: z.enum(["draft", "pending", "sent"]),
  platform_message_id: z.string().nullable(),
});

function decode(raw: unknown): OutboxChunk {
  const r = rowSchema.safeParse(raw);
  if (!r.success) {
    throw fail("PAL_STORE_BAD_ROW", {
      table: "channel_outbox",
      key: "?",
      detail: r.error.issues[0]?.message ?? "",
    });
  }
  const d = r.data;
  return {
    inboxId: d.inbox_id,
    seq: d.seq,
    text: d.text,
    status: d.status,
    platformMessageId: d.platform_message_id,
  };
}

/** The outbox aggregate over an open store (table from migration 6). */
export function createOutboxStore(store: Store, opts: { now?: () => number } = {}): OutboxStore {
  const now = opts.now ?? Date.now;
  const chunks = (inboxId: number): OutboxChunk[] =>
    store.statement("SELECT * FROM channel_outbox WHERE inbox_id = ? ORDER BY seq").all(inboxId).map(decode);
  return {
    chunks,
    plan(inboxId, texts) {
      return store.transaction(() => {
        const existing = new Map(chunks(inboxId).map((c) => [c.seq, c]));
        store.statement("DELETE FROM channel_outbox WHERE inbox_id = ? AND status != 'sent'").run(inboxId);
        const t = now();
        texts.forEach((text, seq) => {
          const old = existing.get(seq);
          if (old?.status === "sent") return;
          const draftId = old?.status === "draft" ? old.platformMessageId : null;
          store
            .statement(
              `INSERT INTO channel_outbox (inbox_id, seq, text, status, platform_message_id, updated_at)
               VALUES (?, ?, ?, 'pending', ?, ?)`,
            )
            .run(inboxId, seq, text, draftId, t);
        });
        return chunks(inboxId);
      });
    },
    saveDraft(inboxId, platformMessageId, text) {
      store
        .statement(
          `INSERT INTO channel_outbox (inbox_id, seq, text, status, platform_message_id, updated_at)
           VALUES (?, 0, ?, 'draft', ?, ?)
           ON CONFLICT (inbox_id, seq) DO UPDATE SET text = excluded.text,
             platform_message_id = excluded.platform_message_id, updated_at = excluded.updated_at
           WHERE status = 'draft'`,
        )
        .run(inboxId, text, platformMessageId, now());
    },
    markSent(inboxId, seq, platformMessageId) {
      store
        .statement(
          `UPDATE channel_outbox SET status = 'sent', platform_message_id = coalesce(?, platform_message_id), updated_at = ?
           WHERE inbox_id = ? AND seq = ?`,
        )
        .run(platformMessageId, now(), inboxId, seq);
    },
  };
}
