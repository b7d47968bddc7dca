/**
 * `device.pair.list|approve|reject|remove` and `device.token.rotate|revoke` (scope
 * operator.pairing), in OpenClaw's params and response shapes. Nobody can hand out more than
 * they hold: approving or rotating to scopes the caller lacks is refused, and node-role tokens
 * need operator.admin. Revoke, rotate and remove re-check open connections at once.
 */
import { z } from "zod";
import { fail } from "../../core/errors.js";
import type { DeviceStore, PairRequest } from "../../store/index.js";
import { requestEvent } from "../device-grant.js";
import type { MethodContext, MethodRegistry } from "../method-registry.js";
import { hasScope, isScope, type Scope } from "../scopes.js";

/** What the device methods need. */
export interface DeviceMethodDeps {
  readonly devices: DeviceStore;
  /** Sends an event to holders of a scope. */
  readonly emit: (event: string, payload: unknown, scope: Scope) => void;
  /** Re-checks open device-bound connections (after revoke, rotate, remove). */
  readonly recheck: () => void;
  readonly now: () => number;
}

const id = z.string().min(1).max(256);
const role = z.enum(["operator", "node"]);
const key = { idempotencyKey: z.string().max(256).optional() };

/** Refuses to grant scopes the caller does not hold itself. */
function assertCallerHolds(ctx: MethodContext, scopes: readonly string[]): void {
  const missing = scopes.filter((s) => !isScope(s) || !hasScope(ctx.scopes, s));
  if (missing.length > 0)
    throw fail("PAL_DEVICE_SCOPE_WIDEN", {
      detail: `this session does not hold ${missing.join(", ")}, so it cannot grant ${missing.length === 1 ? "it" : "them"}`,
    });
}

function assertRoleAllowed(ctx: MethodContext, r: string): void {
  if (r !== "operator" && !hasScope(ctx.scopes, "operator.admin"))
    throw fail(
      "PAL_FORBIDDEN_SCOPE",
      { missingScope: "operator.admin" },
      {
        details: {
          code: "MISSING_SCOPE",
          missingScope: "operator.admin",
          requiredScopes: ["operator.admin"],
        },
      },
    );
}

const pendingView = (r: PairRequest) => requestEvent(r);

/** Registers the device pairing and token methods. */
export function registerDeviceMethods(methods: MethodRegistry, deps: DeviceMethodDeps): void {
  const { devices } = deps;
  const resolved = (r: PairRequest, decision: string) =>
    deps.emit(
      "device.pair.resolved",
      { requestId: r.requestId, deviceId: r.deviceId, decision, ts: deps.now() },
      "operator.pairing",
    );

  methods.register({
    name: "device.pair.list",
    scope: "operator.pairing",
    params: z.object({}).optional(),
    handler: () => ({ pending: devices.pending().map(pendingView), paired: devices.list() }),
  });
  methods.register({
    name: "device.pair.approve",
    scope: "operator.pairing",
    sideEffect: true,
    idempotencyOptional: true,
    params: z.object({ requestId: id, ...key }),
    handler: (p, ctx) => {
      const req = devices.findRequest(p.requestId);
      if (req === undefined)
        throw fail("PAL_DEVICE_NOT_FOUND", { what: "pairing request", id: p.requestId.slice(0, 80) });
      assertRoleAllowed(ctx, req.role);
      assertCallerHolds(ctx, req.scopes);
      const { device } = devices.approve(req.requestId);
      resolved(req, "approved");
      return { requestId: req.requestId, device };
    },
  });
  methods.register({
    name: "device.pair.reject",
    scope: "operator.pairing",
    sideEffect: true,
    idempotencyOptional: true,
    params: z.object({ requestId: id, ...key }),
    handler: (p) => {
      const req = devices.reject(p.requestId);
      resolved(req, "rejected");
      return { requestId: req.requestId, deviceId: req.deviceId };
    },
  });
  methods.register({
    name: "device.pair.remove",
    scope: "operator.pairing",
    sideEffect: true,
    idempotencyOptional: true,
    params: z.object({ deviceId: id, ...key }),
    handler: (p, ctx) => {
      const d = devices.get(p.deviceId);
      if (d === undefined)
        throw fail("PAL_DEVICE_NOT_FOUND", { what: "paired device", id: p.deviceId.slice(0, 80) });
      if (d.deviceId !== ctx.deviceId) for (const r of d.roles) assertRoleAllowed(ctx, r);
      devices.remove(p.deviceId);
      deps.recheck();
      return { deviceId: p.deviceId };
    },
  });
  methods.register({
    name: "device.token.rotate",
    scope: "operator.pairing",
    sideEffect: true,
    idempotencyOptional: true,
    params: z.object({
      deviceId: id,
      role,
      scopes: z.array(z.string().min(1).max(128)).max(32).optional(),
      ...key,
    }),
    handler: (p, ctx) => {
      assertRoleAllowed(ctx, p.role);
      const device = devices.get(p.deviceId);
      const next = p.scopes ?? devices.tokenState(p.deviceId, p.role)?.scopes ?? device?.scopes ?? [];
      assertCallerHolds(ctx, next);
      const r = devices.rotate(p.deviceId, p.role, p.scopes);
      deps.recheck();
      return {
        deviceId: p.deviceId,
        role: p.role,
        token: r.token,
        scopes: r.scopes,
        rotatedAtMs: r.rotatedAtMs,
      };
    },
  });
  methods.register({
    name: "device.token.revoke",
    scope: "operator.pairing",
    sideEffect: true,
    idempotencyOptional: true,
    params: z.object({ deviceId: id, role, ...key }),
    handler: (p, ctx) => {
      assertRoleAllowed(ctx, p.role);
      const revokedAtMs = devices.revoke(p.deviceId, p.role);
      deps.recheck();
      return { deviceId: p.deviceId, role: p.role, revokedAtMs };
    },
  });
}
