/**
 * The exec approval flow. A command that needs an operator's yes is stored as a pending
 * approval and announced with the `exec.approval.requested` event (scope operator.approvals);
 * `exec.approval.resolve` (or `palisade approvals allow|deny`, or `/approve <id>` from the owner
 * in chat) decides it: allow-once, allow-always (a standing approval of that exact binding) or
 * deny. A pending approval expires as denied (default 30 min); the waiting run then reports the
 * denial to the model. Every step is written to the audit log.
 */
import { randomBytes } from "node:crypto";
import { fail } from "../core/errors.js";
import {
  type ApprovalRow,
  type ApprovalStore,
  appendAudit,
  createApprovalStore,
  type Store,
} from "../store/index.js";

/** An operator's answer. */
export type ApprovalDecision = "allow-once" | "allow-always" | "deny";
/** How a wait ended. */
export type ApprovalOutcome = ApprovalDecision | "expired";

/** Sends approval events to operators (the gateway's broadcast with scope operator.approvals). */
export type ApprovalEmit = (
  event: "exec.approval.requested" | "exec.approval.resolved",
  payload: unknown,
) => void;

/** Options of {@link ExecApprovals}. */
export interface ExecApprovalsOptions {
  readonly store: Store;
  /** Where events go; can be set later with {@link ExecApprovals.setEmitter}. */
  readonly emit?: ApprovalEmit | undefined;
  /** Most pending approvals at once. Default 100. */
  readonly maxPending?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** What a tool asks to have approved. */
export interface ApprovalRequestInput {
  readonly agentId: string;
  readonly sessionKey: string;
  readonly bindingHash: string;
  /** OpenClaw's request payload fields (command, cwd, host, security, ask, ...) plus ours. */
  readonly request: Readonly<Record<string, unknown>>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

interface Waiter {
  resolve: (o: ApprovalOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** OpenClaw's shape of a pending approval (event payload and list entry). */
export function approvalPayload(row: ApprovalRow): Record<string, unknown> {
  return {
    id: row.id,
    request: row.request,
    createdAtMs: row.createdAt,
    expiresAtMs: row.expiresAt,
    status: row.status,
  };
}

/** Pending approvals, their waiters and standing approvals. */
export class ExecApprovals {
  readonly #store: Store;
  readonly #rows: ApprovalStore;
  readonly #waiters = new Map<string, Waiter>();
  readonly #now: () => number;
  readonly #max: number;
  #emit: ApprovalEmit;

  constructor(opts: ExecApprovalsOptions) {
    this.#store = opts.store;
    this.#rows = createApprovalStore(opts.store);
    this.#now = opts.now ?? Date.now;
    this.#max = opts.maxPending ?? 100;
    this.#emit = opts.emit ?? (() => {});
    // Approvals left pending by an earlier process have no run waiting for them any more.
    for (const row of this.#rows.pending()) this.#finish(row.id, "expired", "restart");
  }

  /** Sets where events go (the gateway attaches after the tools are built). */
  setEmitter(emit: ApprovalEmit): void {
    this.#emit = emit;
  }

  /** Whether the agent holds an allow-always approval of exactly this binding. */
  standing(agentId: string, bindingHash: string): ApprovalRow | undefined {
    return this.#rows.standing(agentId, bindingHash);
  }

  /** Pending approvals, oldest first, in OpenClaw's shape. */
  list(): Record<string, unknown>[] {
    this.#rows.expire(this.#now());
    return this.#rows.pending().map(approvalPayload);
  }

  /** One approval by id (any status). */
  get(id: string): ApprovalRow | undefined {
    return this.#rows.get(id);
  }

  /**
   * Stores a pending approval, announces it and waits for the decision (or the expiry, or the
   * run's abort, both of which count as denied). Returns the id and how it ended.
   */
  async request(input: ApprovalRequestInput): Promise<{ id: string; outcome: ApprovalOutcome }> {
    if (this.#waiters.size >= this.#max) throw fail("PAL_TOOL_APPROVALS_FULL", { limit: this.#max });
    const id = randomBytes(4).toString("hex");
    const createdAt = this.#now();
    const expiresAt = createdAt + input.timeoutMs;
    const request = { ...input.request, agentId: input.agentId, sessionKey: input.sessionKey };
    this.#rows.create({
      id,
      agentId: input.agentId,
      sessionKey: input.sessionKey,
      bindingHash: input.bindingHash,
      request,
      createdAt,
      expiresAt,
    });
    appendAudit(this.#store, {
      type: "exec.approval.requested",
      actor: `agent:${input.agentId}`,
      subject: input.sessionKey,
      detail: { id, ...request },
      severity: "warn",
    });
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      const timer = setTimeout(() => this.#finish(id, "expired", "expiry"), input.timeoutMs);
      timer.unref?.();
      this.#waiters.set(id, { resolve, timer });
    });
    const onAbort = () => this.#finish(id, "deny", "run stopped");
    input.signal?.addEventListener("abort", onAbort, { once: true });
    this.#emit("exec.approval.requested", { id, request, createdAtMs: createdAt, expiresAtMs: expiresAt });
    try {
      return { id, outcome: await outcome };
    } finally {
      input.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Decides a pending approval. PAL_TOOL_APPROVAL_NOT_FOUND when there is none with this id
   * (unknown, already decided or expired).
   */
  resolve(id: string, decision: ApprovalDecision, actor: string): ApprovalRow {
    this.#rows.expire(this.#now());
    const row = this.#rows.get(id);
    if (row === undefined || row.status !== "pending")
      throw fail("PAL_TOOL_APPROVAL_NOT_FOUND", { id: JSON.stringify(id.slice(0, 64)) });
    this.#finish(id, decision, actor);
    return this.#rows.get(id) ?? row;
  }

  #finish(id: string, outcome: ApprovalOutcome, actor: string): void {
    const at = this.#now();
    const changed = this.#rows.resolve(id, outcome, actor, at);
    const w = this.#waiters.get(id);
    if (w !== undefined) {
      clearTimeout(w.timer);
      this.#waiters.delete(id);
      w.resolve(changed ? outcome : ((this.#rows.get(id)?.status as ApprovalOutcome | undefined) ?? "deny"));
    }
    if (!changed) return;
    const row = this.#rows.get(id);
    appendAudit(this.#store, {
      type: "exec.approval.resolved",
      actor: actor.slice(0, 256),
      subject: row?.sessionKey,
      detail: { id, decision: outcome, agentId: row?.agentId, command: row?.request.command },
      severity: outcome === "deny" || outcome === "expired" ? "info" : "warn",
    });
    this.#emit("exec.approval.resolved", { id, decision: outcome, resolvedBy: actor, ts: at });
  }

  /** Denies every pending approval (shutdown). */
  close(): void {
    for (const id of [...this.#waiters.keys()]) this.#finish(id, "deny", "shutdown");
  }
}
