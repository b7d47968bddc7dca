import { CHECKS } from "./checks.js";
import { runDeepProbes } from "./deep.js";
import type { AuditContext, Check, Finding, Severity } from "./types.js";

/** The result of one audit run. */
export interface AuditReport {
  readonly findings: readonly Finding[];
  readonly counts: Readonly<Record<Severity, number>>;
  /** Checks that ran (static + deep probes when asked). */
  readonly checked: number;
  /** True when a critical finding exists: the CLI then exits 1. */
  readonly critical: boolean;
}

const ORDER: Record<Severity, number> = { critical: 0, warn: 1, info: 2 };

function runCheck(check: Check, ctx: AuditContext): Finding[] {
  let hits: ReturnType<Check["run"]>;
  try {
    hits = check.run(ctx);
  } catch (err) {
    hits = [{ found: `the check failed: ${(err as Error).message}`, severity: "warn" }];
  }
  return hits.map((h) => ({
    id: check.id,
    severity: h.severity ?? check.severity,
    title: check.title,
    found: h.found,
    why: check.why,
    fix: h.fix ?? check.fix,
    ...(check.autoFix ? { autoFix: true } : {}),
  }));
}

/** Runs every static check (and with `deep` the live gateway probes); findings sorted by severity. */
export async function runAudit(ctx: AuditContext, opts: { deep?: boolean } = {}): Promise<AuditReport> {
  const findings = CHECKS.flatMap((c) => runCheck(c, ctx));
  let checked = CHECKS.length;
  if (opts.deep) {
    findings.push(...(await runDeepProbes(ctx)));
    checked += 4;
  }
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const counts = { critical: 0, warn: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return { findings, counts, checked, critical: counts.critical > 0 };
}

/** Plain-text report, one block per finding. */
export function formatReport(report: AuditReport, changes: readonly string[] = []): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.severity.toUpperCase().padEnd(8)} ${f.id}  ${f.title}`);
    lines.push(`         found: ${f.found}`);
    if (f.severity !== "info" || f.id !== "summary.attack_surface") {
      lines.push(`         why:   ${f.why}`);
      lines.push(`         fix:   ${f.fix}${f.autoFix ? " (--fix can do this)" : ""}`);
    }
  }
  if (changes.length > 0) {
    lines.push("", "--fix changed:");
    for (const c of changes) lines.push(`  ${c}`);
  }
  const { critical, warn, info } = report.counts;
  lines.push("", `${report.checked} checks: ${critical} critical, ${warn} warn, ${info} info`);
  return lines.join("\n");
}
