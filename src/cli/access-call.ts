import type { CliContext } from "./context.js";
import { connectFromFlags } from "./gateway.js";

/** Connection flags of the pairing and access commands. */
export interface AccessFlags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
  account?: string;
  notify?: boolean;
  reason?: string;
  channel?: string;
}

/**
 * Runs one `pairing.*` / `access.*` method: over the running gateway, or, when none answers and
 * no --url or PALISADE_GATEWAY_URL names one, directly on the local state store (the state dir's
 * owner is the operator). The same method code runs either way; only `--notify` needs the
 * gateway, since it sends through a running channel.
 */
export async function callAccess(
  ctx: CliContext,
  flags: AccessFlags,
  method: string,
  params: Record<string, unknown>,
) {
  let client: Awaited<ReturnType<typeof connectFromFlags>> | undefined;
  try {
    client = await connectFromFlags(ctx, flags);
  } catch (err) {
    const remote = flags.url !== undefined || process.env.PALISADE_GATEWAY_URL !== undefined;
    if (remote || (err as { code?: string }).code !== "PAL_GATEWAY_UNREACHABLE") throw err;
  }
  if (client !== undefined) {
    try {
      return await client.call(method, params);
    } finally {
      client.close();
    }
  }
  return callLocal(ctx, method, params);
}

async function callLocal(ctx: CliContext, method: string, params: Record<string, unknown>) {
  const { join } = await import("node:path");
  const { openStore } = await import("../store/index.js");
  const { loadConfig } = await import("../config/index.js");
  const { PairingService, AccessRoles } = await import("../access/index.js");
  const { MethodRegistry, SCOPES } = await import("../gateway/index.js");
  const { registerPairingMethods } = await import("../gateway/methods/pairing.js");
  const { registerAccessMethods } = await import("../gateway/methods/access.js");
  const { dispatch } = await import("../gateway/dispatch.js");
  const { IdempotencyCache } = await import("../gateway/idempotency.js");
  const { GatewayCallError } = await import("../client/index.js");
  const pino = (await import("pino")).default;
  // Config roles win over stored ones; without a readable config only the store counts.
  const config = await loadConfig({ paths: ctx.paths }).then(
    (l) => l.config,
    () => ({ channels: undefined }),
  );
  const store = openStore({ file: join(ctx.paths.stateDir, "state.sqlite") });
  try {
    const methods = new MethodRegistry();
    registerPairingMethods(methods, { pairing: new PairingService({ store }) });
    registerAccessMethods(methods, new AccessRoles({ store, config }));
    const res = await dispatch(
      { type: "req", id: "local", method, params },
      {
        connId: "local-cli",
        role: "operator",
        scopes: [...SCOPES],
        clientAddress: "local",
        signal: new AbortController().signal,
        transport: "ws",
      },
      { methods, idempotency: new IdempotencyCache({ now: Date.now }), logger: pino({ level: "silent" }) },
    );
    if (!res.ok) throw new GatewayCallError(res.error);
    return res.payload;
  } finally {
    store.close();
  }
}
