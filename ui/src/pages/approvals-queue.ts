/**
 * Pending exec approvals, collected from `exec.approval.requested` events for as long as the app
 * is connected (so none is missed while another page is open) and dropped on
 * `exec.approval.resolved` or when they expire. Reads OpenClaw's payload
 * `{id, request:{command, cwd, ...}, createdAtMs, expiresAtMs}` and a flat variant.
 */
import type { GatewayConnection } from "../gateway/client.js";

/** One pending approval. */
export interface PendingApproval {
  readonly id: string;
  /** The exact command line, as the gateway sent it. */
  readonly command: string;
  readonly cwd: string | undefined;
  readonly agentId: string | undefined;
  readonly sessionKey: string | undefined;
  readonly host: string | undefined;
  readonly createdAtMs: number | undefined;
  readonly expiresAtMs: number | undefined;
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/** Parses an approval event payload; undefined when it has no id or command. */
export function parseApproval(payload: unknown): PendingApproval | undefined {
  const p = (payload ?? {}) as Record<string, unknown>;
  const r = (typeof p.request === "object" && p.request !== null ? p.request : p) as Record<string, unknown>;
  const id = str(p.id) ?? str(p.approvalId);
  const rawCommand = r.command ?? r.argv;
  const command = Array.isArray(rawCommand) ? rawCommand.map(String).join(" ") : str(rawCommand);
  if (id === undefined || command === undefined) return undefined;
  return {
    id,
    command,
    cwd: str(r.cwd),
    agentId: str(r.agentId),
    sessionKey: str(r.sessionKey),
    host: str(r.host),
    createdAtMs: num(p.createdAtMs),
    expiresAtMs: num(p.expiresAtMs),
  };
}

/** The live queue. */
export class ApprovalQueue {
  readonly #items = new Map<string, PendingApproval>();
  readonly #listeners = new Set<() => void>();

  /** Starts listening on a connection; returns the unsubscribe function. */
  attach(conn: GatewayConnection): () => void {
    return conn.onEvent((e) => {
      if (e.event === "exec.approval.requested") {
        const a = parseApproval(e.payload);
        if (a !== undefined) this.#items.set(a.id, a);
      } else if (e.event === "exec.approval.resolved") {
        const id = (e.payload as { id?: unknown } | undefined)?.id;
        if (typeof id === "string") this.#items.delete(id);
      } else return;
      this.#changed();
    });
  }

  /** Adds approvals fetched by a list call. */
  addAll(items: readonly PendingApproval[]): void {
    for (const a of items) this.#items.set(a.id, a);
    this.#changed();
  }

  /** Removes one (resolved here). */
  remove(id: string): void {
    if (this.#items.delete(id)) this.#changed();
  }

  /** Pending approvals not yet expired, oldest first. */
  list(now = Date.now()): PendingApproval[] {
    return [...this.#items.values()].filter((a) => a.expiresAtMs === undefined || a.expiresAtMs > now);
  }

  /** Called on every change; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(): void {
    for (const fn of this.#listeners) fn();
  }
}
