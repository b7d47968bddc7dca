import type { Command } from "commander";
import { fail } from "../core/errors.js";
import type { TargetConfig } from "../gateway/process/target.js";
import { action, type CliContext } from "./context.js";

/** Connection flags shared by every command that talks to a running gateway. */
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway WebSocket URL (env PALISADE_GATEWAY_URL; default: the local gateway)")
    .option("--token <token>", "gateway token (env PALISADE_GATEWAY_TOKEN; default: the local config)")
    .option("--password <password>", "gateway password (env PALISADE_GATEWAY_PASSWORD)")
    .option("--timeout <ms>", "how long to wait for answers", "10000");
}

interface ConnOpts {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

/** Connects to the gateway the flags, env or local state name. */
export async function connectFromFlags(ctx: CliContext, flags: ConnOpts) {
  const { resolveClientTarget } = await import("../gateway/process/target.js");
  const { connectGateway } = await import("../client/index.js");
  const explicitUrl = flags.url ?? process.env.PALISADE_GATEWAY_URL;
  const local = explicitUrl ? {} : await loadLocalConfigLenient(ctx);
  const target = resolveClientTarget(flags, ctx.paths, local);
  const timeoutMs = Number(flags.timeout ?? "10000");
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw fail("PAL_USAGE", { detail: "--timeout takes milliseconds, e.g. --timeout 5000" });
  }
  return connectGateway({ url: target.url, token: target.token, password: target.password, timeoutMs });
}

/**
 * Reads the local config for connection details. A client command may run where the config
 * has a `${VAR}` it cannot resolve; connection details then fall back to the defaults and the
 * generated token instead of failing.
 */
async function loadLocalConfigLenient(ctx: CliContext): Promise<TargetConfig> {
  try {
    const { loadConfig } = await import("../config/index.js");
    return (await loadConfig({ paths: ctx.paths })).config as TargetConfig;
  } catch {
    return {};
  }
}

/** Prints a payload: pretty JSON for people, one line with --json. */
function printJson(ctx: CliContext, value: unknown, json: boolean | undefined): void {
  ctx.out(json ? JSON.stringify(value) : JSON.stringify(value, null, 2));
}

/** Registers `palisade gateway ...`. */
export function registerGatewayCommands(program: Command): void {
  const gateway = program.command("gateway").description("run the gateway, or talk to a running one");

  gateway
    .command("run")
    .description("run the gateway in the foreground (what npm start and a systemd unit call)")
    .option("--port <port>", "override gateway.port")
    .addHelpText(
      "after",
      `
Validates the config (an invalid config exits 2 and binds nothing), takes the state dir's lock,
binds (loopback:18789 by default), prints "listening on ws://HOST:PORT", and on SIGTERM/SIGINT
drains requests and exits 0. With no token configured, the first run generates one in
<state-dir>/credentials/gateway.token (0600).`,
    )
    .action(
      action(async (ctx, flags: { port?: string }) => {
        const port = flags.port === undefined ? undefined : Number(flags.port);
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
          throw fail("PAL_USAGE", { detail: `--port must be a port number (0-65535), not "${flags.port}"` });
        }
        const { runGateway } = await import("../gateway/process/run.js");
        return runGateway({ paths: ctx.paths, port, out: ctx.out, err: ctx.err });
      }),
    );

  addConnectionOptions(
    gateway
      .command("call <method>")
      .description("call one gateway RPC method and print its answer")
      .option("--params <json5>", "method params as JSON5", "{}")
      .option("--json", "print compact JSON (for scripts)")
      .addHelpText(
        "after",
        "\nExamples:\n  palisade gateway call health\n  palisade gateway call logs.tail --params '{limit: 20}'",
      ),
  ).action(
    action(async (ctx, method: string, flags: ConnOpts & { params: string; json?: boolean }) => {
      const JSON5 = (await import("json5")).default;
      let params: unknown;
      try {
        params = JSON5.parse(flags.params);
      } catch (err) {
        throw fail("PAL_USAGE_BAD_JSON", { what: "--params", detail: (err as Error).message });
      }
      const client = await connectFromFlags(ctx, flags);
      try {
        const res = await client.call(
          method,
          method === "health" && flags.params === "{}" ? undefined : params,
        );
        printJson(ctx, res, flags.json);
      } catch (err) {
        return reportCallError(ctx, err);
      } finally {
        client.close();
      }
      return 0;
    }),
  );

  addConnectionOptions(
    gateway
      .command("status")
      .description("show whether the gateway runs, and its health")
      .option("--json", "print JSON (for scripts)"),
  ).action(
    action(async (ctx, flags: ConnOpts & { json?: boolean }) => {
      const client = await connectFromFlags(ctx, flags);
      try {
        const [health, status] = await Promise.all([client.call("health"), client.call("status", {})]);
        if (flags.json) {
          printJson(ctx, { hello: client.hello, health, status }, true);
        } else {
          ctx.out(
            `gateway: running (server ${client.hello.server?.version ?? "?"}, protocol ${client.hello.protocol})`,
          );
          ctx.out(
            `granted: ${client.hello.auth?.role ?? "?"} ${(client.hello.auth?.scopes ?? []).join(", ")}`,
          );
          ctx.out(`health: ${JSON.stringify(health)}`);
          ctx.out(`status: ${JSON.stringify(status)}`);
        }
      } catch (err) {
        return reportCallError(ctx, err);
      } finally {
        client.close();
      }
      return 0;
    }),
  );

  gateway
    .command("token")
    .description("print the gateway token the local gateway uses (generated on first run)")
    .action(
      action(async (ctx) => {
        const { readGeneratedToken, generatedTokenPath } = await import("../gateway/process/token.js");
        const configured = (await loadLocalConfigLenient(ctx)).gateway?.auth?.token;
        const token = configured ?? readGeneratedToken(ctx.paths.stateDir);
        if (!token) {
          throw fail("PAL_USAGE", {
            detail: `no token yet: set gateway.auth.token or start the gateway once to generate ${generatedTokenPath(ctx.paths.stateDir)}`,
          });
        }
        ctx.out(token);
      }),
    );
}

/** Prints a gateway error answer and returns exit code 1. */
export async function reportCallError(ctx: CliContext, err: unknown): Promise<number> {
  const { GatewayCallError } = await import("../client/index.js");
  if (err instanceof GatewayCallError) {
    ctx.err(`error: ${err.error.code}: ${err.error.message}`);
    if (err.error.details) ctx.err(`  details: ${JSON.stringify(err.error.details)}`);
    return 1;
  }
  throw err;
}
