import type { Command } from "commander";
import { action, type CliContext } from "./context.js";
import { addConnectionOptions, connectFromFlags, reportCallError } from "./gateway.js";

interface Flags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
}

/**
 * Runs one device method: over the running gateway, or, when none answers and no --url or
 * PALISADE_GATEWAY_URL names one, directly on the local state store (the state dir's owner is
 * the operator). The same method code runs either way.
 */
async function callDevices(ctx: CliContext, flags: Flags, method: string, params: Record<string, unknown>) {
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
  const { openStore, createDeviceStore } = await import("../store/index.js");
  const { MethodRegistry, SCOPES } = await import("../gateway/index.js");
  const { registerDeviceMethods } = await import("../gateway/methods/devices.js");
  const { dispatch } = await import("../gateway/dispatch.js");
  const { IdempotencyCache } = await import("../gateway/idempotency.js");
  const { GatewayCallError } = await import("../client/index.js");
  const pino = (await import("pino")).default;
  const store = openStore({ file: join(ctx.paths.stateDir, "state.sqlite") });
  try {
    const methods = new MethodRegistry();
    registerDeviceMethods(methods, {
      devices: createDeviceStore(store),
      emit: () => {},
      recheck: () => {},
      now: Date.now,
    });
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

interface ListPayload {
  pending?: Array<{
    requestId: string;
    deviceId: string;
    role?: string;
    scopes?: string[];
    remoteIp?: string;
    ts?: number;
  }>;
  paired?: Array<{
    deviceId: string;
    roles?: string[];
    scopes?: string[];
    displayName?: string;
    clientId?: string;
  }>;
}

function printList(ctx: CliContext, payload: ListPayload): void {
  const pending = payload.pending ?? [];
  const paired = payload.paired ?? [];
  ctx.out(`pending (${pending.length}):`);
  for (const r of pending)
    ctx.out(
      `  ${r.requestId}  device ${r.deviceId.slice(0, 16)}  ${r.role ?? "operator"} [${(r.scopes ?? []).join(", ")}]  from ${r.remoteIp ?? "?"}`,
    );
  ctx.out(`paired (${paired.length}):`);
  for (const d of paired)
    ctx.out(
      `  ${d.deviceId}  ${d.displayName ?? d.clientId ?? ""}  roles ${(d.roles ?? []).join(",")} [${(d.scopes ?? []).join(", ")}]`,
    );
}

/** Registers `palisade devices list|approve|reject|remove|rotate|revoke`. */
export function registerDevicesCommands(program: Command): void {
  const devices = program.command("devices").description("device pairing requests and paired devices");
  const run = (
    method: string,
    toParams: (...args: string[]) => Record<string, unknown>,
    print?: (ctx: CliContext, p: unknown) => void,
  ) =>
    action(async (ctx, ...args: unknown[]) => {
      const flags = args[args.length - 2] as Flags;
      const positional = args.slice(0, -2).map(String);
      try {
        const payload = await callDevices(ctx, flags, method, toParams(...positional));
        if (flags.json || print === undefined)
          ctx.out(JSON.stringify(payload, null, flags.json ? undefined : 2));
        else print(ctx, payload);
      } catch (err) {
        return reportCallError(ctx, err);
      }
      return 0;
    });

  addConnectionOptions(
    devices
      .command("list")
      .description("list pending requests and paired devices")
      .option("--json", "print JSON"),
  ).action(
    run(
      "device.pair.list",
      () => ({}),
      (ctx, p) => printList(ctx, p as ListPayload),
    ),
  );
  addConnectionOptions(
    devices
      .command("approve <id>")
      .description("approve a pending request (request id or device id)")
      .option("--json", "print JSON"),
  ).action(run("device.pair.approve", (id = "") => ({ requestId: id })));
  addConnectionOptions(
    devices
      .command("reject <id>")
      .description("reject a pending request (request id or device id)")
      .option("--json", "print JSON"),
  ).action(run("device.pair.reject", (id = "") => ({ requestId: id })));
  addConnectionOptions(
    devices
      .command("remove <deviceId>")
      .description("forget a paired device and its tokens")
      .option("--json", "print JSON"),
  ).action(run("device.pair.remove", (id = "") => ({ deviceId: id })));
  addConnectionOptions(
    devices
      .command("revoke <deviceId>")
      .description("revoke a device's token for a role")
      .option("--role <role>", "operator or node", "operator")
      .option("--json", "print JSON"),
  ).action(
    action(async (ctx, id: string, flags: Flags & { role: string }) => {
      try {
        const payload = await callDevices(ctx, flags, "device.token.revoke", {
          deviceId: id,
          role: flags.role,
        });
        ctx.out(JSON.stringify(payload, null, flags.json ? undefined : 2));
      } catch (err) {
        return reportCallError(ctx, err);
      }
      return 0;
    }),
  );
}
