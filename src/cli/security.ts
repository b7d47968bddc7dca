import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { action, type CliContext } from "./context.js";

interface AuditFlags {
  deep?: boolean;
  fix?: boolean;
  json?: boolean;
}

/** Appends to the audit log when a state dir exists (never creates one just for that). */
async function recordEvent(ctx: CliContext, type: string, detail: unknown): Promise<void> {
  if (!existsSync(ctx.paths.stateDir)) return;
  const { openStore, appendAudit } = await import("../store/index.js");
  const store = openStore({ file: join(ctx.paths.stateDir, "state.sqlite") });
  try {
    appendAudit(store, { type, actor: "cli", detail });
  } finally {
    store.close();
  }
}

async function audit(ctx: CliContext, flags: AuditFlags): Promise<number> {
  const sec = await import("../security/index.js");
  let context = await sec.buildAuditContext({ paths: ctx.paths });
  let fixed: Awaited<ReturnType<typeof sec.applySafeFixes>> | undefined;
  if (flags.fix) {
    fixed = await sec.applySafeFixes(context);
    if (fixed.changes.length > 0)
      await recordEvent(ctx, "security.fix", { changes: fixed.changes, configPaths: fixed.configPaths });
    context = await sec.buildAuditContext({ paths: ctx.paths });
  }
  const report = await sec.runAudit(context, { deep: flags.deep === true });
  await recordEvent(ctx, "security.audit", { counts: report.counts, deep: flags.deep === true });
  if (flags.json) {
    ctx.out(
      JSON.stringify(
        {
          ok: !report.critical,
          counts: report.counts,
          checked: report.checked,
          findings: report.findings,
          ...(fixed ? { changes: fixed.changes, skipped: fixed.skipped } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    ctx.out(sec.formatReport(report, fixed?.changes ?? []));
    if (fixed && fixed.changes.length === 0) ctx.out("--fix: nothing to change safely");
    for (const s of fixed?.skipped ?? []) ctx.err(`--fix skipped: ${s}`);
  }
  return report.critical ? 1 : 0;
}

const HELP = `
Checks the state dir, config, gateway exposure, channel policies, tool blast radius, sandbox,
logging and secrets; each finding has a stable id, a severity, what was found, why it matters
and the fix.

  --deep   also probe the running gateway (from <state-dir>/gateway.lock): unauthenticated
           connect, token in a URL, foreign Origin and failed-login rate limiting must all be
           refused; one that is not is critical
  --fix    apply only safe fixes (file modes, logging.redactSensitive on, open groups to
           allowlist) and list what changed; never rotates secrets, never changes bind or auth

Exit codes: 0 no critical finding, 1 at least one critical finding (for cron and CI).`;

/** `palisade security audit`. */
export function registerSecurityCommands(program: Command): void {
  const security = program.command("security").description("security operations");
  security
    .command("audit")
    .description("audit the deployment's security posture")
    .option("--deep", "also probe the running gateway")
    .option("--fix", "apply safe fixes and say what changed")
    .option("--json", "machine-readable report on stdout")
    .addHelpText("after", HELP)
    .action(action((ctx, flags: AuditFlags) => audit(ctx, flags)));
}
