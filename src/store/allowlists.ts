import type { Store } from "./store.js";

/**
 * The store-backed DM allowlist: senders approved by pairing (or added by the operator) for one
 * channel account. Access control merges it with the config's `allowFrom`; it never grants
 * anything in groups.
 */

/** One allowed sender. */
export interface AllowlistEntry {
  readonly channel: string;
  readonly accountId: string;
  readonly senderId: string;
  /** How it got here: `pairing`, `challenge`, `operator`. */
  readonly source: string;
  readonly addedBy: string;
  readonly addedAt: number;
}

/** The allowlist aggregate. */
export interface AllowlistStore {
  has(channel: string, accountId: string, senderId: string): boolean;
  /** Adds (or keeps) an entry; true when it was new. */
  add(entry: AllowlistEntry): boolean;
  /** Removes an entry; false when there was none. */
  remove(channel: string, accountId: string, senderId: string): boolean;
  /** Entries, oldest first; of one channel (and account) when given. At most 10,000. */
  list(filter?: { channel?: string | undefined; accountId?: string | undefined }): AllowlistEntry[];
}

interface Row {
  channel: string;
  account_id: string;
  sender_id: string;
  source: string;
  added_by: string;
  added_at: number;
}

/** The allowlist aggregate over an open store (table from migration 8). */
export function createAllowlistStore(store: Store): AllowlistStore {
  return {
    has(channel, accountId, senderId) {
      return (
        store
          .statement("SELECT 1 FROM channel_allowlist WHERE channel = ? AND account_id = ? AND sender_id = ?")
          .get(channel, accountId, senderId) !== undefined
      );
    },
    add(e) {
      const res = store
        .statement(
          `INSERT INTO channel_allowlist (channel, account_id, sender_id, source, added_by, added_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .run(e.channel, e.accountId, e.senderId, e.source.slice(0, 64), e.addedBy.slice(0, 256), e.addedAt);
      return Number(res.changes) === 1;
    },
    remove(channel, accountId, senderId) {
      const res = store
        .statement("DELETE FROM channel_allowlist WHERE channel = ? AND account_id = ? AND sender_id = ?")
        .run(channel, accountId, senderId);
      return Number(res.changes) === 1;
    },
    list(filter = {}) {
      const rows = store
        .statement(
          `SELECT * FROM channel_allowlist WHERE (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR account_id = ?2)
           ORDER BY added_at, channel, account_id, sender_id LIMIT 10000`,
        )
        .all(filter.channel ?? null, filter.accountId ?? null) as unknown as Row[];
      return rows.map((r) => ({
        channel: r.channel,
        accountId: r.account_id,
        senderId: r.sender_id,
        source: r.source,
        addedBy: r.added_by,
        addedAt: r.added_at,
      }));
    },
  };
}
