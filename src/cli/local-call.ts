import type { Store } from "../store/index.js";
import type { CliContext } from "./context.js";
import { connectFromFlags } from "./gateway.js";

/** Connection flags of commands that talk to the gateway (see `addConnectionOptions`). */
export interface ConnFlags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

/**
 * Calls `method` on the running gateway. When none answers and neither --url nor
 * PALISADE_GATEWAY_URL names one, runs `local` instead: the state dir's owner is the operator,
 * so commands like `devices approve` work with the gateway stopped. A gateway that answers with
 * an error, or a remote URL that cannot be reached, is never silently replaced by local state.
 */
export async function callGatewayOrLocal(
  ctx: CliContext,
  flags: ConnFlags,
  method: string,
  params: Record<string, unknown>,
  local: () => Promise<unknown>,
): Promise<unknown> {
  let client: Awaited<ReturnType<typeof connectFromFlags>> | undefined;
  try {
    client = await connectFromFlags(ctx, flags);
  } catch (err) {
    const remote = flags.url !== undefined || process.env.PALISADE_GATEWAY_URL !== undefined;
    if (remote || (err as { code?: string }).code !== "PAL_GATEWAY_UNREACHABLE") throw err;
  }
  if (client === undefined) return local();
  try {
    return await client.call(method, params);
  } finally {
    client.close();
  }
}

/**
 * Runs one method through the gateway's real dispatcher (params schema, scope checks, typed
 * errors) against the local store, with the methods `register` adds. The same method code runs
 * as on the gateway; only the transport differs. Errors come back as GatewayCallError, like a
 * remote answer.
 */
export async function dispatchLocal(
  ctx: CliContext,
  method: string,
  params: Record<string, unknown>,
  register: (methods: import("../gateway/index.js").MethodRegistry, store: Store) => void | Promise<void>,
): Promise<unknown> {
  const { join } = await import("node:path");
  const { openStore } = await import("../store/index.js");
  const { MethodRegistry, SCOPES } = await import("../gateway/index.js");
  const { dispatch } = await import("../gateway/dispatch.js");
  const { IdempotencyCache } = await import("../gateway/idempotency.js");
  const { GatewayCallError } = await import("../client/index.js");
  const pino = (await import("pino")).default;
  const store = openStore({ file: join(ctx.paths.stateDir, "state.sqlite") });
  try {
    const methods = new MethodRegistry();
    await register(methods, store);
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
