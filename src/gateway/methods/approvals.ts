/**
 * Exec approvals over the protocol: `exec.approval.list` (pending approvals in OpenClaw's shape)
 * and `exec.approval.resolve` {id, decision: allow-once|allow-always|deny}. Both need
 * operator.approvals; the `exec.approval.requested` / `exec.approval.resolved` events go to the
 * same scope.
 */
import { z } from "zod";
import type { ExecApprovals } from "../../tools/index.js";
import type { MethodContext, MethodRegistry } from "../method-registry.js";

/** `exec.approval.resolve` params (OpenClaw's shape). */
export const approvalResolveParams = z.object({
  id: z.string().min(1).max(64),
  decision: z.enum(["allow-once", "allow-always", "deny"]),
});

/** Who resolved, as recorded in the audit log. */
export function approvalActor(ctx: MethodContext): string {
  return ctx.deviceId !== undefined ? `device:${ctx.deviceId}` : `operator:${ctx.clientAddress}`;
}

/** Registers the approval methods. */
export function registerApprovalMethods(methods: MethodRegistry, approvals: ExecApprovals): void {
  methods.register({
    name: "exec.approval.list",
    scope: "operator.approvals",
    params: z.object({}).optional(),
    handler: () => ({ approvals: approvals.list() }),
  });
  methods.register({
    name: "exec.approval.resolve",
    scope: "operator.approvals",
    params: approvalResolveParams,
    sideEffect: true,
    idempotencyOptional: true,
    handler: (p, ctx) => {
      const row = approvals.resolve(p.id, p.decision, approvalActor(ctx));
      return { ok: true, id: row.id, decision: row.status };
    },
  });
}
