import type { Command } from "commander";
import { action, type CliContext } from "./context.js";
import { addConnectionOptions, reportCallError } from "./gateway.js";
import { callGatewayOrLocal } from "./local-call.js";

interface Flags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
  channel?: string;
  limit?: string;
}

/**
 * Calls a channel method on the running gateway; with none running (and no --url), reads the
 * inbox in the local store instead: dead letters and counts are there, health is not (nothing
 * is connected), which the answer says.
 */
function callChannels(ctx: CliContext, flags: Flags, method: string, params: Record<string, unknown>) {
  return callGatewayOrLocal(ctx, flags, method, params, () => callLocal(ctx, method, params));
}

async function callLocal(ctx: CliContext, method: string, params: Record<string, unknown>): Promise<unknown> {
  const { join } = await import("node:path");
  const { openStore, createInboxStore } = await import("../store/index.js");
  const { deadLetterView } = await import("../gateway/methods/channels.js");
  const { fail } = await import("../core/errors.js");
  const store = openStore({ file: join(ctx.paths.stateDir, "state.sqlite") });
  try {
    const inbox = createInboxStore(store);
    if (method === "channels.deadletters") {
      const channel = typeof params.channel === "string" ? params.channel : undefined;
      const limit = typeof params.limit === "number" ? params.limit : undefined;
      return {
        deadLetters: inbox
          .deadLetters({ ...(channel ? { channel } : {}), ...(limit ? { limit } : {}) })
          .map(deadLetterView),
      };
    }
    if (method === "channels.requeue") {
      const id = Number(params.id);
      if (!inbox.requeue(id)) throw fail("PAL_CHANNEL_MESSAGE_NOT_FOUND", { id });
      return { ok: true, id, note: "requeued; it is processed when the gateway starts" };
    }
    return { gatewayRunning: false, inbox: inbox.counts(), channels: [] };
  } finally {
    store.close();
  }
}

const when = (ms: unknown) => (typeof ms === "number" ? new Date(ms).toISOString() : "never");

function printStatus(ctx: CliContext, payload: Record<string, unknown>): void {
  if (payload.gatewayRunning === false) {
    ctx.out("gateway not running; inbox totals from the local store:");
    ctx.out(`  ${JSON.stringify(payload.inbox)}`);
    return;
  }
  const rows = (payload.channels ?? []) as Array<Record<string, unknown>>;
  if (rows.length === 0) ctx.out("no channels configured");
  for (const c of rows) {
    const inbox = (c.inbox ?? {}) as Record<string, number>;
    const state = c.connected === true ? "connected" : c.running === true ? "DISCONNECTED" : "stopped";
    ctx.out(`${c.channel}/${c.accountId}  ${state}  (${c.mode})`);
    ctx.out(
      `  last success ${when(c.lastSuccessAt)}  last inbound ${when(c.lastInboundAt)}  reconnects ${c.reconnects}`,
    );
    if (c.lastError !== null && c.lastError !== undefined)
      ctx.out(`  last error ${when(c.lastErrorAt)}: ${c.lastError}`);
    ctx.out(
      `  inbox: ${inbox.pending ?? 0} pending, ${inbox.processing ?? 0} processing, ${inbox.done ?? 0} done, ${inbox.dead ?? 0} dead, ${inbox.dropped ?? 0} dropped`,
    );
  }
}

function printDead(ctx: CliContext, payload: Record<string, unknown>): void {
  const rows = (payload.deadLetters ?? []) as Array<Record<string, unknown>>;
  ctx.out(`dead letters (${rows.length}):`);
  for (const d of rows) {
    ctx.out(
      `  #${d.id}  ${d.channel}/${d.accountId}  chat ${d.chatId}  sender ${d.senderId}  attempts ${d.attempts}`,
    );
    ctx.out(`    error: ${d.lastError ?? "?"}`);
    ctx.out(`    text: ${JSON.stringify(d.preview)}`);
  }
  if (rows.length > 0) ctx.out("retry one with: palisade channels requeue <id>");
}

/** Registers `palisade channels status|deadletters|requeue`. */
export function registerChannelsCommands(program: Command): void {
  const channels = program
    .command("channels")
    .description("messaging channels: health, inbox and dead letters");
  const run = (
    method: string,
    toParams: (flags: Flags, ...args: string[]) => Record<string, unknown>,
    print: (ctx: CliContext, p: Record<string, unknown>) => void,
  ) =>
    action(async (ctx, ...args: unknown[]) => {
      const flags = args[args.length - 2] as Flags;
      const positional = args.slice(0, -2).map(String);
      try {
        const payload = (await callChannels(ctx, flags, method, toParams(flags, ...positional))) as Record<
          string,
          unknown
        >;
        if (flags.json) ctx.out(JSON.stringify(payload));
        else print(ctx, payload);
      } catch (err) {
        return reportCallError(ctx, err);
      }
      return 0;
    });
  addConnectionOptions(
    channels
      .command("status")
      .description("health and inbox of every channel account")
      .option("--json", "print JSON"),
  ).action(run("channels.status", () => ({}), printStatus));
  addConnectionOptions(
    channels
      .command("deadletters")
      .description("messages that failed for good")
      .option("--channel <name>", "only this channel")
      .option("--limit <n>", "at most this many (default 100)")
      .option("--json", "print JSON"),
  ).action(
    run(
      "channels.deadletters",
      (f) => ({
        ...(f.channel === undefined ? {} : { channel: f.channel }),
        ...(f.limit === undefined ? {} : { limit: Number(f.limit) }),
      }),
      printDead,
    ),
  );
  addConnectionOptions(
    channels.command("requeue <id>").description("retry a dead letter").option("--json", "print JSON"),
  ).action(
    run(
      "channels.requeue",
      (_f, id = "") => ({ id: Number(id) }),
      (ctx, p) => ctx.out(`requeued #${String(p.id)}`),
    ),
  );
}
