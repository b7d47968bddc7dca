import type { Command } from "commander";
import { action, type CliContext } from "./context.js";
import { addConnectionOptions, connectFromFlags, reportCallError } from "./gateway.js";

interface Flags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
  always?: boolean;
}

interface Pending {
  id: string;
  request: {
    command?: string;
    cwd?: string;
    host?: string;
    agentId?: string;
    sessionKey?: string;
    reason?: string;
  };
  expiresAtMs: number;
}

/** Approvals live in the running gateway (a run is waiting there), so every call goes to it. */
async function call(ctx: CliContext, flags: Flags, method: string, params: Record<string, unknown>) {
  const client = await connectFromFlags(ctx, flags);
  try {
    return await client.call(method, params);
  } finally {
    client.close();
  }
}

function printList(ctx: CliContext, list: readonly Pending[]): void {
  if (list.length === 0) {
    ctx.out("no pending approvals");
    return;
  }
  for (const a of list) {
    const mins = Math.max(0, Math.round((a.expiresAtMs - Date.now()) / 60_000));
    ctx.out(`${a.id}  agent ${a.request.agentId ?? "?"}  ${a.request.host ?? "?"}  expires in ${mins}m`);
    ctx.out(`    $ ${(a.request.command ?? "").slice(0, 300)}`);
    ctx.out(`    cwd ${a.request.cwd ?? "?"}; ${a.request.reason ?? ""}`);
  }
}

/** Registers `palisade approvals list|allow|deny`. */
export function registerApprovalsCommands(program: Command): void {
  const approvals = program.command("approvals").description("pending exec approvals of the running gateway");
  const run = (method: string, toParams: (id: string, flags: Flags) => Record<string, unknown>) =>
    action(async (ctx, ...args: unknown[]) => {
      const flags = args[args.length - 2] as Flags;
      const id = String(args[0] ?? "");
      try {
        const payload = await call(ctx, flags, method, toParams(id, flags));
        if (method === "exec.approval.list" && !flags.json)
          printList(ctx, (payload as { approvals: Pending[] }).approvals);
        else ctx.out(JSON.stringify(payload, null, flags.json ? undefined : 2));
      } catch (err) {
        return reportCallError(ctx, err);
      }
      return 0;
    });
  addConnectionOptions(
    approvals.command("list").description("list pending approvals").option("--json", "print JSON"),
  ).action(run("exec.approval.list", () => ({})));
  addConnectionOptions(
    approvals
      .command("allow <id>")
      .description("allow a pending command once (--always: this exact command from now on)")
      .option("--always", "a standing approval of exactly this command, cwd and environment")
      .option("--json", "print JSON"),
  ).action(
    run("exec.approval.resolve", (id, f) => ({ id, decision: f.always ? "allow-always" : "allow-once" })),
  );
  addConnectionOptions(
    approvals.command("deny <id>").description("deny a pending command").option("--json", "print JSON"),
  ).action(run("exec.approval.resolve", (id) => ({ id, decision: "deny" })));
}
