/**
 * DM pairing over the protocol, for the CLI and the Control UI's pairing page (scope
 * operator.pairing): `pairing.list` {channel?, accountId?} -> {requests[]} with OpenClaw's request
 * fields (id = sender id, code, createdAt, lastSeenAt) plus channel, accountId, mode, expiresAt;
 * `pairing.approve` / `pairing.reject` {channel?, code, accountId?, notify?}. The channel may be
 * left out when exactly one channel has an open request with that code.
 */
import { z } from "zod";
import type { NoticeTarget, PairingService } from "../../access/index.js";
import { accessText } from "../../access/index.js";
import { fail } from "../../core/errors.js";
import type { MethodContext, MethodRegistry } from "../method-registry.js";

/** What the pairing methods work with. */
export interface PairingMethodDeps {
  readonly pairing: PairingService;
  /** Sends a text to a chat (approve's `notify`); absent when no channel runs (local CLI). */
  readonly notify?: ((target: NoticeTarget, text: string) => Promise<void>) | undefined;
}

const channelParam = z.string().min(1).max(64);
const decideParams = z.object({
  channel: channelParam.optional(),
  code: z.string().min(1).max(32),
  accountId: z.string().min(1).max(128).optional(),
  /** Send a confirmation to the requester on the same channel (approve only). */
  notify: z.boolean().optional(),
  idempotencyKey: z.string().max(256).optional(),
});

/** Who decided, as recorded in the audit log. */
export function operatorActor(ctx: MethodContext): string {
  if (ctx.clientAddress === "local") return "cli:local";
  return ctx.deviceId !== undefined ? `device:${ctx.deviceId}` : `operator:${ctx.clientAddress}`;
}

function channelFor(pairing: PairingService, channel: string | undefined, code: string): string {
  if (channel !== undefined) return channel;
  const upper = code.replace(/[\s-]/g, "").toUpperCase();
  const open = pairing.list().filter((r) => r.code === upper);
  const channels = [...new Set(open.map((r) => r.channel))];
  if (channels.length === 1 && channels[0] !== undefined) return channels[0];
  throw fail("PAL_ACCESS_CHANNEL_REQUIRED", {
    detail:
      channels.length === 0
        ? `no open request has code ${upper}`
        : `code ${upper} is open on several channels`,
  });
}

/** Registers `pairing.list`, `pairing.approve` and `pairing.reject`. */
export function registerPairingMethods(methods: MethodRegistry, deps: PairingMethodDeps): void {
  methods.register({
    name: "pairing.list",
    scope: "operator.pairing",
    params: z
      .object({ channel: channelParam.optional(), accountId: z.string().min(1).max(128).optional() })
      .optional(),
    handler: (p) => ({
      ...(p?.channel === undefined ? {} : { channel: p.channel }),
      requests: deps.pairing.list({ channel: p?.channel, accountId: p?.accountId }),
    }),
  });
  methods.register({
    name: "pairing.approve",
    scope: "operator.pairing",
    params: decideParams,
    sideEffect: true,
    idempotencyOptional: true,
    handler: async (p, ctx) => {
      const channel = channelFor(deps.pairing, p.channel, p.code);
      const d = deps.pairing.approve(channel, p.code, { accountId: p.accountId, actor: operatorActor(ctx) });
      let notified = false;
      if (p.notify === true && deps.notify !== undefined) {
        notified = await deps
          .notify(
            { channel: d.channel, accountId: d.accountId, chatId: d.chatId },
            accessText.APPROVED_NOTICE,
          )
          .then(
            () => true,
            () => false,
          );
      }
      return { approved: true, channel: d.channel, accountId: d.accountId, id: d.id, code: d.code, notified };
    },
  });
  methods.register({
    name: "pairing.reject",
    scope: "operator.pairing",
    params: decideParams.omit({ notify: true }),
    sideEffect: true,
    idempotencyOptional: true,
    handler: (p, ctx) => {
      const channel = channelFor(deps.pairing, p.channel, p.code);
      const d = deps.pairing.reject(channel, p.code, { accountId: p.accountId, actor: operatorActor(ctx) });
      return { rejected: true, channel: d.channel, accountId: d.accountId, id: d.id, code: d.code };
    },
  });
}
