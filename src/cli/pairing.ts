import type { Command } from "commander";
import { type AccessFlags, callAccess } from "./access-call.js";
import { action, type CliContext } from "./context.js";
import { addConnectionOptions, reportCallError } from "./gateway.js";

interface Request {
  id: string;
  code: string;
  channel: string;
  accountId: string;
  mode: string;
  expiresAt: string;
  attempts: number;
}

function printList(ctx: CliContext, requests: readonly Request[]): void {
  if (requests.length === 0) {
    ctx.out("no open pairing requests");
    return;
  }
  for (const r of requests) {
    const mins = Math.max(0, Math.round((Date.parse(r.expiresAt) - Date.now()) / 60_000));
    const acct = r.accountId === "default" ? "" : `/${r.accountId}`;
    ctx.out(`${r.code}  ${r.channel}${acct}  sender ${r.id}  ${r.mode}  expires in ${mins}m`);
  }
}

/** Registers `palisade pairing list|approve|reject` (OpenClaw's DM pairing commands). */
export function registerPairingCommands(program: Command): void {
  const pairing = program.command("pairing").description("DM pairing requests of unknown senders");
  const run = (method: string, toParams: (args: string[], flags: AccessFlags) => Record<string, unknown>) =>
    action(async (ctx, ...args: unknown[]) => {
      const flags = args[args.length - 2] as AccessFlags;
      const positional = args
        .slice(0, -2)
        .filter((a) => a !== undefined)
        .map(String);
      try {
        const payload = await callAccess(ctx, flags, method, toParams(positional, flags));
        if (method === "pairing.list" && !flags.json)
          printList(ctx, (payload as { requests: Request[] }).requests);
        else ctx.out(JSON.stringify(payload, null, flags.json ? undefined : 2));
      } catch (err) {
        return reportCallError(ctx, err);
      }
      return 0;
    });
  const decide = (args: string[], f: AccessFlags) => {
    // `approve <channel> <code>`, `approve --channel <channel> <code>` or `approve <code>`.
    const [a, b] = args;
    const channel = b === undefined ? f.channel : a;
    const code = b ?? a ?? "";
    return {
      code,
      ...(channel === undefined ? {} : { channel }),
      ...(f.account === undefined ? {} : { accountId: f.account }),
      ...(f.notify === true ? { notify: true } : {}),
    };
  };
  addConnectionOptions(
    pairing
      .command("list [channel]")
      .description("list open pairing requests (code, sender id, expiry)")
      .option("--channel <channel>", "channel id, e.g. telegram")
      .option("--account <accountId>", "channel account")
      .option("--json", "print JSON"),
  ).action(
    run("pairing.list", ([channel], f) => ({
      ...((channel ?? f.channel) === undefined ? {} : { channel: channel ?? f.channel }),
      ...(f.account === undefined ? {} : { accountId: f.account }),
    })),
  );
  addConnectionOptions(
    pairing
      .command("approve <channelOrCode> [code]")
      .description("approve a code: that sender may DM this channel account from now on")
      .option("--channel <channel>", "channel id, e.g. telegram")
      .option("--account <accountId>", "channel account")
      .option("--notify", "tell the requester on the same channel (needs a running gateway)")
      .option("--json", "print JSON"),
  ).action(run("pairing.approve", decide));
  addConnectionOptions(
    pairing
      .command("reject <channelOrCode> [code]")
      .description("reject a code (the sender may ask again later; `palisade access block` stops that)")
      .option("--channel <channel>", "channel id, e.g. telegram")
      .option("--account <accountId>", "channel account")
      .option("--json", "print JSON"),
  ).action(run("pairing.reject", (args, f) => ({ ...decide(args, f), notify: undefined })));
}
