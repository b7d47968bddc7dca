import { appendAudit } from "./audit.js";
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

/**
 * Config writes, recorded as `config.write` events in the hash-chained audit log (audit.ts).
 * Rows of the older `config_audit` table were moved into the chain by migration 5.
 */
export interface ConfigAudit {
  /** Appends the write to the audit chain; returns its seq. */
  record(entry: Omit<ConfigAuditRecord, "id">): number;
  /** The newest `limit` records, newest first (default 100, max 1000). */
  recent(limit?: number): ConfigAuditRecord[];
}

function actorName(a: ConfigActor): string {
  return a.deviceId ? `device:${a.deviceId}` : `ip:${a.clientAddress}`;
}

/** The config audit aggregate over an open store. */
export function createConfigAudit(store: Store): ConfigAudit {
  return {
    record(e) {
      const detail = {
        method: e.method,
        actor: e.actor,
        baseHash: e.baseHash,
        newHash: e.newHash,
        paths: e.paths,
        ...(e.note === undefined ? {} : { note: e.note }),
      };
      const type = "config.write";
      return appendAudit(
        store,
        { type, actor: actorName(e.actor), subject: "config", detail },
        { now: () => e.ts },
      ).seq;
    },
    recent(limit = 100) {
      const n = Math.max(1, Math.min(1000, Math.trunc(limit)));
      const rows = store
        .statement(
          "SELECT seq, ts, detail FROM audit_log WHERE type = 'config.write' ORDER BY seq DESC LIMIT ?",
        )
        .all(n) as Array<{ seq: number; ts: number; detail: string }>;
      return rows.map((r) => {
        const d = JSON.parse(r.detail) as Partial<ConfigAuditRecord>;
        return {
          id: Number(r.seq),
          ts: Number(r.ts),
          method: String(d.method),
          actor: (d.actor ?? { connId: "?", transport: "?", clientAddress: "?" }) as ConfigActor,
          baseHash: String(d.baseHash),
          newHash: String(d.newHash),
          paths: Array.isArray(d.paths) ? d.paths.map(String) : [],
          ...(typeof d.note === "string" ? { note: d.note } : {}),
        };
      });
    },
  };
}
