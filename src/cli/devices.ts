import type { Command } from "commander";
import { action, type CliContext } from "./context.js";
import { addConnectionOptions, reportCallError } from "./gateway.js";
import { callGatewayOrLocal, dispatchLocal } from "./local-call.js";

interface Flags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
}

/** Runs one device method over the running gateway, or on the local store when none runs. */
function callDevices(ctx: CliContext, flags: Flags, method: string, params: Record<string, unknown>) {
  return callGatewayOrLocal(ctx, flags, method, params, () =>
    dispatchLocal(ctx, method, params, async (methods, store) => {
      const { createDeviceStore } = await import("../store/index.js");
      const { registerDeviceMethods } = await import("../gateway/methods/devices.js");
      registerDeviceMethods(methods, {
        devices: createDeviceStore(store),
        emit: () => {},
        recheck: () => {},
        now: Date.now,
      });
    }),
  );
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
