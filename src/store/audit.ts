import { createHash } from "node:crypto";
import { fail } from "../core/errors.js";
import { createRedactor, type Redactor } from "../logging/index.js";
import type { Store } from "./store.js";

/**
 * The security audit log: append-only records, each carrying the hash of the one before it, so
 * an edit, a deletion or a reordering anywhere in the chain is detected by {@link verifyAudit}.
 * The `audit_head` row (written in the same transaction as every append) anchors the tail, so
 * dropping the newest records is detected too. Triggers refuse UPDATE and DELETE; an attacker
 * with raw file access can drop them, which is what the hash chain is for.
 */

/** How bad an event is. */
export type AuditSeverity = "info" | "warn" | "critical";

/** What a caller records. */
export interface AuditInput {
  /** Dotted event type, e.g. `auth.failed`, `config.write`, `soul.mismatch` (1..128 chars). */
  readonly type: string;
  /** Who caused it: `cli`, `gateway`, `ip:1.2.3.4`, `device:<id>`, `agent:<id>` (1..256 chars). */
  readonly actor: string;
  /** What it was about (a config path, a file, a session key); optional. */
  readonly subject?: string | undefined;
  /** Structured detail; redacted before it is stored (secrets never reach the log). */
  readonly detail?: unknown;
  /** Default "info". */
  readonly severity?: AuditSeverity | undefined;
}

/** A stored record. */
export interface AuditRecord {
  readonly seq: number;
  /** ms since epoch. */
  readonly ts: number;
  readonly type: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly severity: AuditSeverity;
  /** Redacted detail (parsed JSON). */
  readonly detail: unknown;
  /** Hash of record seq-1; {@link AUDIT_GENESIS_HASH} for seq 1. */
  readonly prevHash: string;
  /** sha256 hex over {@link auditHashInput}. */
  readonly hash: string;
}

/** Options for {@link appendAudit}. */
export interface AppendAuditOptions {
  /** Redactor applied to `detail` and `subject`; default: built-in patterns and key-name rules. */
  readonly redactor?: Redactor;
  /** Clock in ms; default `Date.now`. */
  readonly now?: () => number;
}

/** prevHash of the first record. */
export const AUDIT_GENESIS_HASH = "0".repeat(64);
/** Largest detail accepted after redaction (bytes of JSON); bigger detail is truncated. */
export const AUDIT_MAX_DETAIL_BYTES = 16 * 1024;

const SEVERITIES: readonly AuditSeverity[] = ["info", "warn", "critical"];
let defaultRedactor: Redactor | undefined;

/** Canonical JSON: object keys sorted, no whitespace; the bytes that get hashed. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

/** The exact string hashed for a record (format version 1). */
export function auditHashInput(r: Omit<AuditRecord, "hash">): string {
  return canonicalJson([
    "palisade-audit-v1",
    r.seq,
    r.ts,
    r.type,
    r.actor,
    r.subject,
    r.severity,
    r.detail,
    r.prevHash,
  ]);
}

/** sha256 hex of {@link auditHashInput}. */
export function auditHash(r: Omit<AuditRecord, "hash">): string {
  return createHash("sha256").update(auditHashInput(r)).digest("hex");
}

function clampDetail(detail: unknown): unknown {
  const json = canonicalJson(detail);
  if (Buffer.byteLength(json) <= AUDIT_MAX_DETAIL_BYTES) return JSON.parse(json) as unknown;
  return { truncated: true, preview: json.slice(0, 1024) };
}

function checkInput(input: AuditInput): void {
  const bad = (detail: string) => fail("PAL_STORE_VALUE_INVALID", { table: "audit_log", key: "-", detail });
  if (typeof input.type !== "string" || !/^[a-z][a-z0-9_.-]{0,127}$/.test(input.type))
    throw bad("type must be 1..128 lowercase characters (a-z 0-9 . _ -)");
  if (typeof input.actor !== "string" || input.actor.length === 0 || input.actor.length > 256)
    throw bad("actor must be 1..256 characters");
  if (input.severity !== undefined && !SEVERITIES.includes(input.severity))
    throw bad("severity must be info, warn or critical");
}

interface Row {
  seq: number;
  ts: number;
  type: string;
  actor: string;
  subject: string | null;
  severity: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

function toRecord(row: Row): AuditRecord {
  let detail: unknown = null;
  try {
    detail = JSON.parse(row.detail);
  } catch {
    detail = row.detail;
  }
  return {
    seq: Number(row.seq),
    ts: Number(row.ts),
    type: row.type,
    actor: row.actor,
    subject: row.subject,
    severity: row.severity as AuditSeverity,
    detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Appends one record to the chain in its own transaction (nested in the caller's when there is
 * one) and returns it. Safe across processes: `BEGIN IMMEDIATE` serializes writers.
 */
export function appendAudit(store: Store, input: AuditInput, opts: AppendAuditOptions = {}): AuditRecord {
  checkInput(input);
  defaultRedactor ??= createRedactor({});
  const redactor = opts.redactor ?? defaultRedactor;
  const detail = clampDetail(redactor.value(input.detail ?? null));
  const subject = input.subject === undefined ? null : redactor.text(String(input.subject)).slice(0, 512);
  const ts = Math.trunc((opts.now ?? Date.now)());
  return store.transaction(() => {
    const head = store.statement("SELECT seq, hash FROM audit_head WHERE id = 1").get() as
      | { seq: number; hash: string }
      | undefined;
    const base = {
      seq: Number(head?.seq ?? 0) + 1,
      ts,
      type: input.type,
      actor: redactor.text(input.actor).slice(0, 256),
      subject,
      severity: input.severity ?? "info",
      detail,
      prevHash: head?.hash ?? AUDIT_GENESIS_HASH,
    } as const;
    const record: AuditRecord = { ...base, hash: auditHash(base) };
    store
      .statement(
        `INSERT INTO audit_log (seq, ts, type, actor, subject, severity, detail, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.seq,
        record.ts,
        record.type,
        record.actor,
        record.subject,
        record.severity,
        canonicalJson(record.detail),
        record.prevHash,
        record.hash,
      );
    store
      .statement(
        `INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
      )
      .run(record.seq, record.hash);
    return record;
  });
}

/** Bounds of {@link listAudit}'s `limit`. */
export const AUDIT_LIST_LIMIT = { default: 50, max: 10_000 } as const;

/** The newest `limit` records (default 50), oldest first. */
export function listAudit(store: Store, opts: { limit?: number } = {}): AuditRecord[] {
  const limit = opts.limit ?? AUDIT_LIST_LIMIT.default;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > AUDIT_LIST_LIMIT.max)
    throw fail("PAL_STORE_MISUSE", {
      detail: `audit limit must be 1..${AUDIT_LIST_LIMIT.max}, got ${limit}`,
    });
  const rows = store
    .statement("SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?")
    .all(limit) as unknown as Row[];
  return rows.reverse().map(toRecord);
}

/** Every record in seq order, read in pages so memory stays bounded. */
export function* iterateAudit(store: Store, pageSize = 1000): Generator<AuditRecord> {
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = store
      .statement("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")
      .all(after, pageSize) as unknown as Row[];
    if (rows.length === 0) return;
    for (const row of rows) yield toRecord(row);
    after = Number(rows.at(-1)?.seq ?? after);
  }
}

/** Outcome of {@link verifyAudit}. */
export type AuditVerifyResult =
  | { readonly ok: true; readonly count: number; readonly headHash: string }
  | { readonly ok: false; readonly count: number; readonly badSeq: number; readonly reason: string };

/**
 * Walks the chain in seq order and checks, for every record: seq is the previous seq + 1,
 * prevHash is the previous hash, and hash matches its content; then that the last record is the
 * recorded head. Reports the first seq that breaks.
 */
export function verifyAudit(store: Store): AuditVerifyResult {
  let prev: AuditRecord | undefined;
  let count = 0;
  for (const r of iterateAudit(store)) {
    count++;
    const expectedSeq = (prev?.seq ?? 0) + 1;
    const expectedPrev = prev?.hash ?? AUDIT_GENESIS_HASH;
    const bad = (reason: string): AuditVerifyResult => ({ ok: false, count, badSeq: r.seq, reason });
    if (r.seq !== expectedSeq)
      return {
        ok: false,
        count,
        badSeq: Math.min(r.seq, expectedSeq),
        reason: `expected seq ${expectedSeq} but found ${r.seq} (a record was deleted or moved)`,
      };
    if (r.prevHash !== expectedPrev)
      return bad("prevHash does not match the previous record's hash (a record was removed or reordered)");
    if (!SEVERITIES.includes(r.severity) || auditHash(r) !== r.hash)
      return bad("content does not match its hash (the record was edited)");
    prev = r;
  }
  const head = store.statement("SELECT seq, hash FROM audit_head WHERE id = 1").get() as
    | { seq: number; hash: string }
    | undefined;
  const headSeq = Number(head?.seq ?? 0);
  const lastSeq = prev?.seq ?? 0;
  if (headSeq !== lastSeq || (head?.hash ?? AUDIT_GENESIS_HASH) !== (prev?.hash ?? AUDIT_GENESIS_HASH))
    return {
      ok: false,
      count,
      badSeq: Math.min(lastSeq, headSeq) + 1,
      reason: `the chain ends at seq ${lastSeq} but the head records seq ${headSeq} (records at the end were deleted or the head was changed)`,
    };
  return { ok: true, count, headHash: prev?.hash ?? AUDIT_GENESIS_HASH };
}
