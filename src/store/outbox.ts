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
  /**
   * When a send of this chunk started, ms since epoch; null when none did. A chunk not marked
   * sent, without a platform id, with this set has an unknown outcome: the send was in flight
   * when the process stopped (or failed without an answer), so the platform may have accepted it.
   */
  readonly sendStartedAt: number | null;
  /** Sends of this chunk started so far; more than one means it may have been duplicated. */
  readonly sendAttempts: number;
}

/** Whether the platform may already have a copy of this chunk that the outbox did not record. */
export function sendUncertain(c: OutboxChunk): boolean {
  return c.status !== "sent" && c.platformMessageId === null && c.sendStartedAt !== null;
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
  /**
   * Records that a send of chunk `seq` starts now (call right before the platform request). For
   * a streaming preview (seq 0, no row yet) it creates the `draft` row without a platform id.
   */
  markSending(inboxId: number, seq: number, text: string): void;
  /** Forgets a started send the platform definitely refused, so it is not reported as uncertain. */
  clearSending(inboxId: number, seq: number): void;
  /**
   * Marks a chunk sent with the platform's message id. `also` runs in the same transaction (the
   * last chunk marks its inbox row done with it: one commit instead of two per message).
   */
  markSent(inboxId: number, seq: number, platformMessageId: string | null, also?: () => void): void;
}

const rowSchema = z.object({
  inbox_id: z.number(),
  seq: z.number(),
  text: z.string(),
  status: z.enum(["draft", "pending", "sent"]),
  platform_message_id: z.string().nullable(),
  send_started_at: z.number().nullable(),
  send_attempts: z.number(),
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
    sendStartedAt: d.send_started_at,
    sendAttempts: d.send_attempts,
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
          // A preview whose send has no recorded outcome stays uncertain when it becomes chunk 0.
          const started = old !== undefined && draftId === null ? old.sendStartedAt : null;
          store
            .statement(
              `INSERT INTO channel_outbox (inbox_id, seq, text, status, platform_message_id, updated_at, send_started_at, send_attempts)
               VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`,
            )
            .run(inboxId, seq, text, draftId, t, started, started === null ? 0 : (old?.sendAttempts ?? 0));
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
    markSending(inboxId, seq, text) {
      store
        .statement(
          `INSERT INTO channel_outbox (inbox_id, seq, text, status, platform_message_id, updated_at, send_started_at, send_attempts)
           VALUES (?, ?, ?, 'draft', NULL, ?, ?, 1)
           ON CONFLICT (inbox_id, seq) DO UPDATE SET send_started_at = excluded.send_started_at,
             send_attempts = send_attempts + 1
           WHERE status != 'sent'`,
        )
        .run(inboxId, seq, text, now(), now());
    },
    clearSending(inboxId, seq) {
      store
        .statement(
          `UPDATE channel_outbox SET send_started_at = NULL, send_attempts = max(0, send_attempts - 1)
           WHERE inbox_id = ? AND seq = ?`,
        )
        .run(inboxId, seq);
    },
    markSent(inboxId, seq, platformMessageId, also) {
      const mark = () =>
        store
          .statement(
            `UPDATE channel_outbox SET status = 'sent', platform_message_id = coalesce(?, platform_message_id), updated_at = ?
             WHERE inbox_id = ? AND seq = ?`,
          )
          .run(platformMessageId, now(), inboxId, seq);
      if (also === undefined) mark();
      else
        store.transaction(() => {
          mark();
          also();
        });
    },
  };
}
