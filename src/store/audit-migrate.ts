import type { DatabaseSync } from "node:sqlite";
import { AUDIT_GENESIS_HASH, auditHash, canonicalJson } from "./audit.js";

interface LegacyRow {
  id: number;
  ts: number;
  method: string;
  actor: string;
  base_hash: string;
  new_hash: string;
  paths: string;
  note: string | null;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Moves the simple `config_audit` records (written by config RPCs before the hash-chained log
 * existed) into `audit_log` as `config.write` events, oldest first, so one chain holds every
 * security event. Runs inside the audit_log migration; a store without that table is left alone.
 * The legacy rows stay where they are (nothing is deleted by a migration).
 */
export function chainLegacyConfigAudit(db: DatabaseSync): void {
  const legacy = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'config_audit'")
    .get();
  if (!legacy) return;
  const rows = db.prepare("SELECT * FROM config_audit ORDER BY id").all() as unknown as LegacyRow[];
  const insert = db.prepare(
    `INSERT INTO audit_log (seq, ts, type, actor, subject, severity, detail, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let prevHash = AUDIT_GENESIS_HASH;
  let seq = 0;
  for (const row of rows) {
    seq++;
    const actor = parse(row.actor) as { deviceId?: string; clientAddress?: string; transport?: string };
    const base = {
      seq,
      ts: Number(row.ts),
      type: "config.write",
      actor: (actor.deviceId
        ? `device:${actor.deviceId}`
        : actor.clientAddress
          ? `ip:${actor.clientAddress}`
          : "gateway"
      ).slice(0, 256),
      subject: "config",
      severity: "info" as const,
      detail: JSON.parse(
        canonicalJson({
          method: row.method,
          actor,
          baseHash: row.base_hash,
          newHash: row.new_hash,
          paths: parse(row.paths),
          note: row.note ?? undefined,
          legacyId: Number(row.id),
        }),
      ) as unknown,
      prevHash,
    };
    const hash = auditHash(base);
    insert.run(
      seq,
      base.ts,
      base.type,
      base.actor,
      base.subject,
      base.severity,
      canonicalJson(base.detail),
      prevHash,
      hash,
    );
    prevHash = hash;
  }
  if (seq > 0) db.prepare("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)").run(seq, prevHash);
}
