import type { Store } from "./store.js";

/** Who made a config change, as the gateway saw the caller. */
export interface ConfigActor {
  readonly connId: string;
  readonly transport: string;
  readonly clientAddress: string;
  readonly deviceId?: string | undefined;
  readonly clientId?: string | undefined;
}

/** One audited config write. */
export interface ConfigAuditRecord {
  readonly id: number;
  readonly ts: number;
  readonly method: string;
  readonly actor: ConfigActor;
  readonly baseHash: string;
  readonly newHash: string;
  /** Dot paths whose value changed (secret values are never recorded, only their paths). */
  readonly paths: string[];
  readonly note?: string;
}

/** Append-only record of config writes (table from migration 3). */
export interface ConfigAudit {
  record(entry: Omit<ConfigAuditRecord, "id">): number;
  /** The newest `limit` records, newest first (default 100, max 1000). */
  recent(limit?: number): ConfigAuditRecord[];
}

/** The config audit aggregate over an open store. */
export function createConfigAudit(store: Store): ConfigAudit {
  return {
    record(e) {
      const res = store
        .statement(
          "INSERT INTO config_audit (ts, method, actor, base_hash, new_hash, paths, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(
          e.ts,
          e.method,
          JSON.stringify(e.actor),
          e.baseHash,
          e.newHash,
          JSON.stringify(e.paths),
          e.note ?? null,
        );
      return Number(res.lastInsertRowid);
    },
    recent(limit = 100) {
      const n = Math.max(1, Math.min(1000, Math.trunc(limit)));
      const rows = store.statement("SELECT * FROM config_audit ORDER BY id DESC LIMIT ?").all(n) as Record<
        string,
        unknown
      >[];
      return rows.map((r) => ({
        id: Number(r.id),
        ts: Number(r.ts),
        method: String(r.method),
        actor: JSON.parse(String(r.actor)) as ConfigActor,
        baseHash: String(r.base_hash),
        newHash: String(r.new_hash),
        paths: JSON.parse(String(r.paths)) as string[],
        ...(typeof r.note === "string" ? { note: r.note } : {}),
      }));
    },
  };
}
