import type { Store } from "./store.js";

/**
 * Per-sender roles on a channel (the seeds' access control list): `owner` (may approve pairings
 * and exec commands from chat), `trusted`, `limited` (a tighter rate limit) and `blocked`
 * (every message dropped, no reply). A sender without a row has no role.
 */

/** A sender's role. */
export type SenderRole = "owner" | "trusted" | "limited" | "blocked";

/** The roles, most to least privileged. */
export const SENDER_ROLES: readonly SenderRole[] = ["owner", "trusted", "limited", "blocked"];

/** One role row. */
export interface SenderRoleRow {
  readonly channel: string;
  readonly senderId: string;
  readonly role: SenderRole;
  readonly reason: string | null;
  readonly updatedBy: string;
  readonly updatedAt: number;
}

/** The roles aggregate. */
export interface RoleStore {
  get(channel: string, senderId: string): SenderRoleRow | undefined;
  /** Sets (replaces) a sender's role. */
  set(row: SenderRoleRow): void;
  /** Removes a sender's role; false when there was none (or it was another role than `only`). */
  clear(channel: string, senderId: string, only?: SenderRole): boolean;
  /** Rows, oldest first; of one channel or role when given. At most 10,000. */
  list(filter?: { channel?: string | undefined; role?: SenderRole | undefined }): SenderRoleRow[];
}

interface Row {
  channel: string;
  sender_id: string;
  role: SenderRole;
  reason: string | null;
  updated_by: string;
  updated_at: number;
}

function toRow(r: Row): SenderRoleRow {
  return {
    channel: r.channel,
    senderId: r.sender_id,
    role: r.role,
    reason: r.reason,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

/** The roles aggregate over an open store (table from migration 8). */
export function createRoleStore(store: Store): RoleStore {
  return {
    get(channel, senderId) {
      const r = store
        .statement("SELECT * FROM sender_roles WHERE channel = ? AND sender_id = ?")
        .get(channel, senderId);
      return r === undefined ? undefined : toRow(r as unknown as Row);
    },
    set(row) {
      store
        .statement(
          `INSERT INTO sender_roles (channel, sender_id, role, reason, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (channel, sender_id) DO UPDATE SET role = excluded.role, reason = excluded.reason,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        )
        .run(
          row.channel,
          row.senderId,
          row.role,
          row.reason?.slice(0, 500) ?? null,
          row.updatedBy.slice(0, 256),
          row.updatedAt,
        );
    },
    clear(channel, senderId, only) {
      const res = store
        .statement(
          "DELETE FROM sender_roles WHERE channel = ? AND sender_id = ? AND (?3 IS NULL OR role = ?3)",
        )
        .run(channel, senderId, only ?? null);
      return Number(res.changes) === 1;
    },
    list(filter = {}) {
      const rows = store
        .statement(
          `SELECT * FROM sender_roles WHERE (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR role = ?2)
           ORDER BY updated_at, channel, sender_id LIMIT 10000`,
        )
        .all(filter.channel ?? null, filter.role ?? null) as unknown as Row[];
      return rows.map(toRow);
    },
  };
}
