import { z } from "zod";
import { fail } from "../core/errors.js";
import type { Store } from "./store.js";

/**
 * Exec approvals: every request an agent made (pending, then allowed once, allowed always,
 * denied or expired) with the exact binding it was asked for. An "allowed always" row is a
 * standing approval of that binding hash for that agent; nothing else is ever reused.
 */

/** State of an approval. */
export type ApprovalStatus = "pending" | "allow-once" | "allow-always" | "deny" | "expired";

/** One approval row. */
export interface ApprovalRow {
  readonly id: string;
  readonly agentId: string;
  readonly sessionKey: string;
  /** sha256 of the canonical binding (argv, cwd, env, host, script hashes). */
  readonly bindingHash: string;
  /** What the operator is shown (OpenClaw's request payload plus the binding). */
  readonly request: Readonly<Record<string, unknown>>;
  readonly status: ApprovalStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly resolvedAt: number | null;
  readonly resolvedBy: string | null;
}

/** The approvals aggregate. */
export interface ApprovalStore {
  /** Records a new pending request. */
  create(row: Omit<ApprovalRow, "status" | "resolvedAt" | "resolvedBy">): void;
  get(id: string): ApprovalRow | undefined;
  /** Moves a pending row to a final status; false when it was not pending. */
  resolve(id: string, status: Exclude<ApprovalStatus, "pending">, by: string, at: number): boolean;
  /** Pending rows, oldest first (at most 500). */
  pending(): ApprovalRow[];
  /** Whether the agent holds a standing (allow-always) approval of this binding. */
  standing(agentId: string, bindingHash: string): ApprovalRow | undefined;
  /** Marks pending rows past their expiry as expired; returns their ids. */
  expire(now: number): string[];
}

const requestSchema = z.record(z.string(), z.unknown());
interface Row {
  id: string;
  agent_id: string;
  session_key: string;
  binding_hash: string;
  request: string;
  status: ApprovalStatus;
  created_at: number;
  expires_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
}

function toRow(r: Row): ApprovalRow {
  const parsed = requestSchema.safeParse(JSON.parse(r.request));
  if (!parsed.success)
    throw fail("PAL_STORE_BAD_ROW", { table: "exec_approvals", key: r.id, detail: "request" });
  return {
    id: r.id,
    agentId: r.agent_id,
    sessionKey: r.session_key,
    bindingHash: r.binding_hash,
    request: parsed.data,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
  };
}

/** The approvals aggregate over an open store (table from migration 7). */
export function createApprovalStore(store: Store): ApprovalStore {
  return {
    create(row) {
      store
        .statement(
          `INSERT INTO exec_approvals (id, agent_id, session_key, binding_hash, request, status, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
        )
        .run(
          row.id,
          row.agentId,
          row.sessionKey,
          row.bindingHash,
          JSON.stringify(row.request),
          row.createdAt,
          row.expiresAt,
        );
    },
    get(id) {
      const r = store.statement("SELECT * FROM exec_approvals WHERE id = ?").get(id) as Row | undefined;
      return r === undefined ? undefined : toRow(r);
    },
    resolve(id, status, by, at) {
      const res = store
        .statement(
          "UPDATE exec_approvals SET status = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND status = 'pending'",
        )
        .run(status, by.slice(0, 256), at, id);
      return Number(res.changes) === 1;
    },
    pending() {
      const rows = store
        .statement("SELECT * FROM exec_approvals WHERE status = 'pending' ORDER BY created_at, id LIMIT 500")
        .all() as unknown as Row[];
      return rows.map(toRow);
    },
    standing(agentId, bindingHash) {
      const r = store
        .statement(
          "SELECT * FROM exec_approvals WHERE agent_id = ? AND binding_hash = ? AND status = 'allow-always' LIMIT 1",
        )
        .get(agentId, bindingHash) as Row | undefined;
      return r === undefined ? undefined : toRow(r);
    },
    expire(now) {
      const rows = store
        .statement("SELECT id FROM exec_approvals WHERE status = 'pending' AND expires_at <= ?")
        .all(now) as unknown as { id: string }[];
      for (const r of rows)
        store
          .statement(
            "UPDATE exec_approvals SET status = 'expired', resolved_by = 'expiry', resolved_at = ? WHERE id = ? AND status = 'pending'",
          )
          .run(now, r.id);
      return rows.map((r) => r.id);
    },
  };
}
