import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { action, type CliContext } from "./context.js";

async function withStore<T>(
  ctx: CliContext,
  fn: (store: import("../store/index.js").Store) => T,
): Promise<T> {
  const file = join(ctx.paths.stateDir, "state.sqlite");
  const { fail } = await import("../core/errors.js");
  if (!existsSync(file))
    throw fail("PAL_STATE_DIR", {
      dir: ctx.paths.stateDir,
      detail: "no state.sqlite yet; start the gateway once",
    });
  const { openStore } = await import("../store/index.js");
  const store = openStore({ file });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

async function verify(ctx: CliContext, flags: { json?: boolean }): Promise<number> {
  const { verifyAudit } = await import("../store/index.js");
  const r = await withStore(ctx, verifyAudit);
  if (flags.json) ctx.out(JSON.stringify(r, null, 2));
  else if (r.ok) ctx.out(`audit log intact: ${r.count} record(s), head ${r.headHash.slice(0, 16)}`);
  else ctx.err(`audit log BROKEN at seq ${r.badSeq}: ${r.reason} (${r.count} record(s) read)`);
  return r.ok ? 0 : 1;
}

async function tail(ctx: CliContext, flags: { limit: string; json?: boolean }): Promise<number> {
  const { listAudit } = await import("../store/index.js");
  const limit = Number(flags.limit);
  const records = await withStore(ctx, (s) => listAudit(s, { limit }));
  for (const r of records) {
    if (flags.json) ctx.out(JSON.stringify(r));
    else
      ctx.out(
        `${r.seq} ${new Date(r.ts).toISOString()} ${r.severity.padEnd(8)} ${r.type} actor=${r.actor}` +
          `${r.subject ? ` subject=${r.subject}` : ""} ${JSON.stringify(r.detail)}`,
      );
  }
  return 0;
}

async function exportLog(ctx: CliContext, flags: { format: string }): Promise<number> {
  const { fail } = await import("../core/errors.js");
  if (flags.format !== "jsonl")
    throw fail("PAL_USAGE", { detail: `unknown format ${flags.format}; use jsonl` });
  const { iterateAudit } = await import("../store/index.js");
  await withStore(ctx, (s) => {
    for (const r of iterateAudit(s)) ctx.out(JSON.stringify(r));
  });
  return 0;
}

/** `palisade audit verify|tail|export`: the hash-chained security audit log. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("the tamper-evident security audit log");
  audit
    .command("verify")
    .description("check the hash chain; exit 1 naming the first bad seq on any edit, deletion or reordering")
    .option("--json", "machine-readable result")
    .action(action((ctx, flags: { json?: boolean }) => verify(ctx, flags)));
  audit
    .command("tail")
    .description("show the newest records")
    .option("--limit <n>", "how many (1..10000)", "50")
    .option("--json", "one JSON record per line")
    .action(action((ctx, flags: { limit: string; json?: boolean }) => tail(ctx, flags)));
  audit
    .command("export")
    .description("write every record, oldest first, to stdout")
    .option("--format <format>", "jsonl (one record per line, with seq, prevHash and hash)", "jsonl")
    .action(action((ctx, flags: { format: string }) => exportLog(ctx, flags)));
}
