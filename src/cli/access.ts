import type { Command } from "commander";
import { type AccessFlags, accessAction } from "./access-call.js";
import type { CliContext } from "./context.js";
import { addConnectionOptions } from "./gateway.js";

interface ListPayload {
  roles: Array<{ channel: string; senderId: string; role: string; source: string; reason: string | null }>;
  allowlist: Array<{ channel: string; accountId: string; senderId: string; source: string }>;
}

function printList(ctx: CliContext, p: ListPayload): void {
  ctx.out(`roles (${p.roles.length}):`);
  for (const r of p.roles)
    ctx.out(`  ${r.channel}:${r.senderId}  ${r.role}  (${r.source}${r.reason ? `; ${r.reason}` : ""})`);
  ctx.out(`approved senders (${p.allowlist.length}):`);
  for (const a of p.allowlist) ctx.out(`  ${a.channel}/${a.accountId}:${a.senderId}  via ${a.source}`);
}

/** Registers `palisade access list|block|unblock|role|revoke`. */
export function registerAccessCommands(program: Command): void {
  const access = program
    .command("access")
    .description("sender roles (owner, trusted, limited, blocked) and approved senders");
  const run = (method: string, toParams: (args: string[], flags: AccessFlags) => Record<string, unknown>) =>
    accessAction(
      method,
      toParams,
      method === "access.list" ? (ctx, payload) => printList(ctx, payload as ListPayload) : undefined,
    );
  const target = ([channel = "", id = ""]: string[]) => ({ channel, id });
  addConnectionOptions(
    access
      .command("list [channel]")
      .description("list roles and approved senders")
      .option("--json", "print JSON"),
  ).action(run("access.list", ([channel]) => (channel === undefined ? {} : { channel })));
  addConnectionOptions(
    access
      .command("block <channel> <senderId>")
      .description("drop every message of a sender on a channel, without a reply")
      .option("--reason <text>", "why (kept in the audit log)")
      .option("--json", "print JSON"),
  ).action(
    run("access.block", (a, f) => ({
      ...target(a),
      ...(f.reason === undefined ? {} : { reason: f.reason }),
    })),
  );
  addConnectionOptions(
    access.command("unblock <channel> <senderId>").description("lift a block").option("--json", "print JSON"),
  ).action(run("access.unblock", target));
  addConnectionOptions(
    access
      .command("role <channel> <senderId> <role>")
      .description("set a role: owner, trusted, limited, blocked, or none to clear it")
      .option("--json", "print JSON"),
  ).action(
    run("access.role", ([c, id, role]) => ({
      ...target([c ?? "", id ?? ""]),
      role: role === "none" ? null : role,
    })),
  );
  addConnectionOptions(
    access
      .command("revoke <channel> <senderId>")
      .description("remove an approved sender from a channel account's allowlist")
      .option("--account <accountId>", "channel account (default: default)")
      .option("--json", "print JSON"),
  ).action(
    run("access.revoke", (a, f) => ({
      ...target(a),
      ...(f.account === undefined ? {} : { accountId: f.account }),
    })),
  );
}
