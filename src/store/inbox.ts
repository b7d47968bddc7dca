import { z } from "zod";
import { fail } from "../core/errors.js";
import type { Store } from "./store.js";

/** Where an inbound channel message is in its life. */
export type InboxStatus = "pending" | "processing" | "done" | "dead" | "dropped";

/** A message to persist, as a channel adapter normalized it. */
export interface InboxInput {
  readonly channel: string;
  readonly accountId: string;
  /** The platform's id of the message, stable across redeliveries (dedupe key with channel+account). */
  readonly messageId: string;
  /** The platform's stable sender id (never a display name). */
  readonly senderId: string;
  readonly chatId: string;
  /** The normalized message (JSON); the channels layer validates it when reading it back. */
  readonly payload: unknown;
}

/** One inbox row. */
export interface InboxRow {
  readonly id: number;
  readonly channel: string;
  readonly accountId: string;
  readonly messageId: string;
  readonly senderId: string;
  readonly chatId: string;
  readonly payload: unknown;
  readonly status: InboxStatus;
  /** Processing attempts started so far (a crash mid-attempt counts). */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly receivedAt: number;
  readonly updatedAt: number;
}

/** Row counts by status. */
export type InboxCounts = Record<InboxStatus, number>;

/** Default and maximum rows the list calls return. */
export const INBOX_LIST_LIMIT = { default: 100, max: 10_000 } as const;
/** Longest stored error text; longer ones are cut. */
export const INBOX_MAX_ERROR_CHARS = 1000;

/**
 * The durable inbox: messages are inserted (deduplicated on channel + account + message id)
 * before the platform is acknowledged, claimed for processing (counting attempts), then marked
 * done, dropped (refused by the gate) or dead-lettered after too many failed attempts.
 */
export interface InboxStore {
  /** Inserts messages in one transaction; returns the new rows and how many were duplicates. */
  insert(msgs: readonly InboxInput[]): { inserted: InboxRow[]; duplicates: number };
  get(id: number): InboxRow | undefined;
  /** The row of a platform message id (the dedupe key), if it was ever inserted. */
  find(channel: string, accountId: string, messageId: string): InboxRow | undefined;
  /** Deletes a row that was refused before any processing, so the same id can be sent again. */
  discard(id: number): void;
  /**
   * Marks an open row as processing and counts the attempt; undefined when the row is not open.
   * The attempt is counted before any work, so a message that crashes the process every time
   * still reaches the dead letters.
   */
  claim(id: number): InboxRow | undefined;
  /** Marks a row done. */
  complete(id: number): void;
  /** Marks a row dropped (the gate refused it); `reason` is kept for the operator. */
  drop(id: number, reason: string): void;
  /** Records a failed attempt: back to pending, or dead once `attempts >= maxAttempts`. */
  failed(id: number, error: string, maxAttempts: number): "retry" | "dead";
  /** Gives back a claimed row without counting the attempt (the gateway is stopping). */
  release(id: number): void;
  /** Open rows (pending or processing), oldest first, optionally of one channel. */
  open(opts?: { channel?: string; limit?: number }): InboxRow[];
  /** Dead-lettered rows, newest first. */
  deadLetters(opts?: { channel?: string; limit?: number }): InboxRow[];
  /** Puts a dead row back to pending with a fresh attempt count; false when it is not dead. */
  requeue(id: number): boolean;
  /** Counts by status, optionally of one channel (and account). */
  counts(channel?: string, accountId?: string): InboxCounts;
}

const rowSchema = z.object({
  id: z.number(),
  channel: z.string(),
  account_id: z.string(),
  message_id: z.string(),
  sender_id: z.string(),
  chat_id: z.string(),
  payload: z.string(),
  status: z.enum(["pending", "processing", "done", "dead", "dropped"]),
  attempts: z.number(),
  last_error: z.string().nullable(),
  received_at: z.number(),
  updated_at: z.number(),
});

function decode(raw: unknown): InboxRow {
  const r = rowSchema.safeParse(raw);
  if (!r.success) {
    throw fail("PAL_STORE_BAD_ROW", {
      table: "channel_inbox",
      key: "?",
      detail: r.error.issues[0]?.message ?? "",
    });
  }
  const d = r.data;
  let payload: unknown;
  try {
    payload = JSON.parse(d.payload);
  } catch (err) {
    throw fail(
      "PAL_STORE_BAD_ROW",
      { table: "channel_inbox", key: String(d.id), detail: "payload" },
      { cause: err },
    );
  }
  return {
    id: d.id,
    channel: d.channel,
    accountId: d.account_id,
    messageId: d.message_id,
    senderId: d.sender_id,
    chatId: d.chat_id,
    payload,
    status: d.status,
    attempts: d.attempts,
    lastError: d.last_error,
    receivedAt: d.received_at,
    updatedAt: d.updated_at,
  };
}

const limitOf = (n: number | undefined) =>
  Math.min(Math.max(1, Math.trunc(n ?? INBOX_LIST_LIMIT.default)), INBOX_LIST_LIMIT.max);

/** The inbox aggregate over an open store (tables from migration 6). */
export function createInboxStore(store: Store, opts: { now?: () => number } = {}): InboxStore {
  const now = opts.now ?? Date.now;
  const get = (id: number): InboxRow | undefined => {
    const raw = store.statement("SELECT * FROM channel_inbox WHERE id = ?").get(id);
    return raw === undefined ? undefined : decode(raw);
  };
  const setStatus = (id: number, status: InboxStatus, error: string | null) =>
    store
      .statement(
        "UPDATE channel_inbox SET status = ?, last_error = coalesce(?, last_error), updated_at = ? WHERE id = ?",
      )
      .run(status, error === null ? null : error.slice(0, INBOX_MAX_ERROR_CHARS), now(), id);

  return {
    insert(msgs) {
      return store.transaction(() => {
        const inserted: InboxRow[] = [];
        let duplicates = 0;
        const t = now();
        for (const m of msgs) {
          const r = store
            .statement(
              `INSERT INTO channel_inbox (channel, account_id, message_id, sender_id, chat_id, payload, status, received_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
               ON CONFLICT (channel, account_id, message_id) DO NOTHING RETURNING *`,
            )
            .get(m.channel, m.accountId, m.messageId, m.senderId, m.chatId, JSON.stringify(m.payload), t, t);
          if (r === undefined) duplicates++;
          else inserted.push(decode(r));
        }
        return { inserted, duplicates };
      });
    },
    get,
    find(channel, accountId, messageId) {
      const raw = store
        .statement("SELECT * FROM channel_inbox WHERE channel = ? AND account_id = ? AND message_id = ?")
        .get(channel, accountId, messageId);
      return raw === undefined ? undefined : decode(raw);
    },
    discard(id) {
      store.statement("DELETE FROM channel_inbox WHERE id = ?").run(id);
    },
    claim(id) {
      // One statement: the claim is on the path of every message.
      const r = store
        .statement(
          `UPDATE channel_inbox SET status = 'processing', attempts = attempts + 1, updated_at = ?
           WHERE id = ? AND status IN ('pending', 'processing') RETURNING *`,
        )
        .get(now(), id);
      return r === undefined ? undefined : decode(r);
    },
    complete(id) {
      setStatus(id, "done", null);
    },
    drop(id, reason) {
      setStatus(id, "dropped", reason);
    },
    failed(id, error, maxAttempts) {
      const row = get(id);
      const dead = row === undefined || row.attempts >= maxAttempts;
      setStatus(id, dead ? "dead" : "pending", error);
      return dead ? "dead" : "retry";
    },
    release(id) {
      store
        .statement(
          `UPDATE channel_inbox SET status = 'pending', attempts = max(0, attempts - 1), updated_at = ?
           WHERE id = ? AND status = 'processing'`,
        )
        .run(now(), id);
    },
    open(o = {}) {
      const rows =
        o.channel === undefined
          ? store
              .statement(
                "SELECT * FROM channel_inbox WHERE status IN ('pending', 'processing') ORDER BY id LIMIT ?",
              )
              .all(limitOf(o.limit))
          : store
              .statement(
                "SELECT * FROM channel_inbox WHERE status IN ('pending', 'processing') AND channel = ? ORDER BY id LIMIT ?",
              )
              .all(o.channel, limitOf(o.limit));
      return rows.map(decode);
    },
    deadLetters(o = {}) {
      const rows =
        o.channel === undefined
          ? store
              .statement("SELECT * FROM channel_inbox WHERE status = 'dead' ORDER BY id DESC LIMIT ?")
              .all(limitOf(o.limit))
          : store
              .statement(
                "SELECT * FROM channel_inbox WHERE status = 'dead' AND channel = ? ORDER BY id DESC LIMIT ?",
              )
              .all(o.channel, limitOf(o.limit));
      return rows.map(decode);
    },
    requeue(id) {
      const r = store
        .statement(
          "UPDATE channel_inbox SET status = 'pending', attempts = 0, updated_at = ? WHERE id = ? AND status = 'dead'",
        )
        .run(now(), id);
      return r.changes > 0;
    },
    counts(channel, accountId) {
      const out: InboxCounts = { pending: 0, processing: 0, done: 0, dead: 0, dropped: 0 };
      const rows = store
        .statement(
          `SELECT status, count(*) AS n FROM channel_inbox
           WHERE (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR account_id = ?2) GROUP BY status`,
        )
        .all(channel ?? null, accountId ?? null) as Array<{ status: InboxStatus; n: number }>;
      for (const r of rows) out[r.status] = r.n;
      return out;
    },
  };
}
