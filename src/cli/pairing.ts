import type { Command } from "commander";
import { type AccessFlags, accessAction } from "./access-call.js";
import type { CliContext } from "./context.js";
import { addConnectionOptions } from "./gateway.js";

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
    accessAction(
      method,
      toParams,
      method === "pairing.list"
        ? (ctx, payload) => printList(ctx, (payload as { requests: Request[] }).requests)
        : undefined,
    );
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
