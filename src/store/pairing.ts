import type { Store } from "./store.js";

/**
 * DM pairing requests: one open request per channel, account and sender, holding the code the
 * owner approves (code mode) or the sender must type (challenge mode). Approved, rejected and
 * expired requests are deleted; the audit log keeps their history.
 */

/** How an unknown sender pairs: the owner approves a code, or the sender types the owner's code. */
export type PairingMode = "code" | "challenge";

/** One open pairing request. */
export interface PairingRequestRow {
  readonly channel: string;
  readonly accountId: string;
  /** The platform's stable sender id. */
  readonly senderId: string;
  /** Where the sender wrote from (the DM chat), for the `--notify` confirmation. */
  readonly chatId: string;
  readonly code: string;
  readonly mode: PairingMode;
  /** Wrong codes typed (challenge mode). */
  readonly attempts: number;
  /** Replies sent to the sender for this request. */
  readonly replies: number;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly lastReplyAt: number;
  readonly expiresAt: number;
}

/** The pairing-request aggregate. */
export interface PairingStore {
  /** The open request of a sender (expired ones included; callers check `expiresAt`). */
  get(channel: string, accountId: string, senderId: string): PairingRequestRow | undefined;
  /** The open request holding `code` on a channel (any account). */
  byCode(channel: string, code: string): PairingRequestRow | undefined;
  /** Open requests, oldest first; of one channel (and account) when given. At most 500. */
  list(filter?: { channel?: string | undefined; accountId?: string | undefined }): PairingRequestRow[];
  /** Unexpired open requests of a channel (all accounts). */
  countPending(channel: string, now: number): number;
  /** Inserts a request; false when the code collides with another open one on the channel. */
  insert(row: PairingRequestRow): boolean;
  /** Records a message seen from the pending sender (and a reply, when one was sent). */
  touch(channel: string, accountId: string, senderId: string, at: number, replied: boolean): void;
  /** Counts one wrong challenge attempt; returns the new count. */
  failAttempt(channel: string, accountId: string, senderId: string): number;
  /** Deletes a request; false when there was none. */
  remove(channel: string, accountId: string, senderId: string): boolean;
  /** Deletes requests past their expiry; returns them. */
  expire(now: number): PairingRequestRow[];
}

interface Row {
  channel: string;
  account_id: string;
  sender_id: string;
  chat_id: string;
  code: string;
  mode: PairingMode;
  attempts: number;
  replies: number;
  created_at: number;
  last_seen_at: number;
  last_reply_at: number;
  expires_at: number;
}

function toRow(r: Row): PairingRequestRow {
  return {
    channel: r.channel,
    accountId: r.account_id,
    senderId: r.sender_id,
    chatId: r.chat_id,
    code: r.code,
    mode: r.mode,
    attempts: r.attempts,
    replies: r.replies,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    lastReplyAt: r.last_reply_at,
    expiresAt: r.expires_at,
  };
}

const KEY = "channel = ? AND account_id = ? AND sender_id = ?";

/** The pairing-request aggregate over an open store (table from migration 8). */
export function createPairingStore(store: Store): PairingStore {
  return {
    get(channel, accountId, senderId) {
      const r = store
        .statement(`SELECT * FROM pairing_requests WHERE ${KEY}`)
        .get(channel, accountId, senderId);
      return r === undefined ? undefined : toRow(r as unknown as Row);
    },
    byCode(channel, code) {
      const r = store
        .statement("SELECT * FROM pairing_requests WHERE channel = ? AND code = ?")
        .get(channel, code);
      return r === undefined ? undefined : toRow(r as unknown as Row);
    },
    list(filter = {}) {
      const rows = store
        .statement(
          `SELECT * FROM pairing_requests WHERE (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR account_id = ?2)
           ORDER BY created_at, channel, account_id, sender_id LIMIT 500`,
        )
        .all(filter.channel ?? null, filter.accountId ?? null) as unknown as Row[];
      return rows.map(toRow);
    },
    countPending(channel, now) {
      const r = store
        .statement("SELECT count(*) AS n FROM pairing_requests WHERE channel = ? AND expires_at > ?")
        .get(channel, now) as { n: number };
      return r.n;
    },
    insert(row) {
      const taken = store
        .statement("SELECT 1 FROM pairing_requests WHERE channel = ? AND code = ?")
        .get(row.channel, row.code);
      if (taken !== undefined) return false;
      store
        .statement(
          `INSERT INTO pairing_requests (channel, account_id, sender_id, chat_id, code, mode, attempts, replies,
             created_at, last_seen_at, last_reply_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.channel,
          row.accountId,
          row.senderId,
          row.chatId,
          row.code,
          row.mode,
          row.attempts,
          row.replies,
          row.createdAt,
          row.lastSeenAt,
          row.lastReplyAt,
          row.expiresAt,
        );
      return true;
    },
    touch(channel, accountId, senderId, at, replied) {
      store
        .statement(
          `UPDATE pairing_requests SET last_seen_at = ?1,
             replies = replies + ?2, last_reply_at = CASE WHEN ?2 = 1 THEN ?1 ELSE last_reply_at END
           WHERE channel = ?3 AND account_id = ?4 AND sender_id = ?5`,
        )
        .run(at, replied ? 1 : 0, channel, accountId, senderId);
    },
    failAttempt(channel, accountId, senderId) {
      store
        .statement(`UPDATE pairing_requests SET attempts = attempts + 1 WHERE ${KEY}`)
        .run(channel, accountId, senderId);
      return this.get(channel, accountId, senderId)?.attempts ?? 0;
    },
    remove(channel, accountId, senderId) {
      const res = store
        .statement(`DELETE FROM pairing_requests WHERE ${KEY}`)
        .run(channel, accountId, senderId);
      return Number(res.changes) === 1;
    },
    expire(now) {
      const rows = store
        .statement("SELECT * FROM pairing_requests WHERE expires_at <= ? LIMIT 1000")
        .all(now) as unknown as Row[];
      for (const r of rows)
        store
          .statement(`DELETE FROM pairing_requests WHERE ${KEY}`)
          .run(r.channel, r.account_id, r.sender_id);
      return rows.map(toRow);
    },
  };
}
