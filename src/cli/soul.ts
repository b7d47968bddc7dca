import { join } from "node:path";
import type { Command } from "commander";
import { action, type CliContext } from "./context.js";

async function configAndStore(ctx: CliContext) {
  const { loadConfig } = await import("../config/index.js");
  const { ensurePrivateDir } = await import("../core/paths.js");
  const { openStore } = await import("../store/index.js");
  const loaded = await loadConfig({ paths: ctx.paths });
  ensurePrivateDir(ctx.paths.stateDir);
  return { config: loaded.config, store: openStore({ file: join(ctx.paths.stateDir, "state.sqlite") }) };
}

async function baseline(ctx: CliContext): Promise<number> {
  const { recordSoulBaseline } = await import("../security/index.js");
  const { config, store } = await configAndStore(ctx);
  try {
    const files = recordSoulBaseline(store, config, ctx.paths.stateDir);
    for (const f of files) ctx.out(`${f.sha256 ?? "(missing)".padEnd(64)}  ${f.path}`);
    ctx.out(`baseline recorded for ${files.filter((f) => f.sha256).length} file(s)`);
    return 0;
  } finally {
    store.close();
  }
}

async function verify(ctx: CliContext, flags: { json?: boolean }): Promise<number> {
  const { verifySoul } = await import("../security/index.js");
  const { config, store } = await configAndStore(ctx);
  try {
    const r = verifySoul(store, config, ctx.paths.stateDir);
    if (flags.json) ctx.out(JSON.stringify(r, null, 2));
    else if (!r.baseline)
      ctx.err("no baseline recorded; run `palisade soul baseline` after reviewing the files");
    else if (r.ok) ctx.out(`identity files match the baseline (${r.checked} checked)`);
    else for (const m of r.mismatches) ctx.err(`MISMATCH ${m.kind}: ${m.path}`);
    return r.ok ? 0 : 1;
  } finally {
    store.close();
  }
}

/** `palisade soul baseline|verify`: integrity of SOUL.md and the other agent identity files. */
export function registerSoulCommands(program: Command): void {
  const soul = program.command("soul").description("integrity of the agent identity files (SOUL.md ...)");
  soul
    .command("baseline")
    .description("record the sha256 of SOUL.md, AGENTS.md, USER.md, IDENTITY.md, TOOLS.md of every agent")
    .action(action((ctx) => baseline(ctx)));
  soul
    .command("verify")
    .description("compare with the baseline; exit 1 naming every file that differs")
    .option("--json", "machine-readable result")
    .action(action((ctx, flags: { json?: boolean }) => verify(ctx, flags)));
}
