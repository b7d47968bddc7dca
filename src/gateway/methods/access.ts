/**
 * Sender roles and the approved-sender allowlist over the protocol: `access.list` {channel?}
 * -> {roles[], allowlist[]}, `access.block` / `access.unblock` {channel, id, reason?} and
 * `access.revoke` {channel, accountId?, id} need operator.pairing; `access.role` {channel, id,
 * role|null} needs operator.admin, since an owner may approve commands from chat.
 */
import { z } from "zod";
import type { AccessRoles } from "../../access/index.js";
import type { MethodRegistry } from "../method-registry.js";
import { operatorActor } from "./pairing.js";

const target = {
  channel: z.string().min(1).max(64),
  id: z.union([z.string().min(1).max(256), z.number()]).transform(String),
  idempotencyKey: z.string().max(256).optional(),
};

/** Registers the `access.*` methods. */
export function registerAccessMethods(methods: MethodRegistry, roles: AccessRoles): void {
  methods.register({
    name: "access.list",
    scope: "operator.pairing",
    params: z.object({ channel: z.string().min(1).max(64).optional() }).optional(),
    handler: (p) => ({ roles: roles.list(p?.channel), allowlist: roles.allowlist({ channel: p?.channel }) }),
  });
  methods.register({
    name: "access.block",
    scope: "operator.pairing",
    params: z.object({ ...target, reason: z.string().max(500).optional() }),
    sideEffect: true,
    idempotencyOptional: true,
    handler: (p, ctx) => ({
      blocked: true,
      ...roles.set(p.channel, p.id, "blocked", operatorActor(ctx), p.reason),
    }),
  });
  methods.register({
    name: "access.unblock",
    scope: "operator.pairing",
    params: z.object(target),
    sideEffect: true,
    idempotencyOptional: true,
    handler: (p, ctx) => ({
      unblocked: roles.clear(p.channel, p.id, operatorActor(ctx), "blocked"),
      channel: p.channel,
      senderId: p.id,
    }),
  });
  methods.register({
    name: "access.revoke",
    scope: "operator.pairing",
    params: z.object({ ...target, accountId: z.string().min(1).max(128).optional() }),
    sideEffect: true,
    idempotencyOptional: true,
    handler: (p, ctx) => ({
      revoked: roles.revoke(p.channel, p.accountId ?? "default", p.id, operatorActor(ctx)),
      channel: p.channel,
      senderId: p.id,
    }),
  });
  methods.register({
    name: "access.role",
    scope: "operator.admin",
    params: z.object({ ...target, role: z.enum(["owner", "trusted", "limited", "blocked"]).nullable() }),
    sideEffect: true,
    idempotencyOptional: true,
    handler: (p, ctx) =>
      p.role === null
        ? { cleared: roles.clear(p.channel, p.id, operatorActor(ctx)), channel: p.channel, senderId: p.id }
        : roles.set(p.channel, p.id, p.role, operatorActor(ctx)),
  });
}
