/**
 * `security.audit` (operator.admin, read-only): the static checks of `palisade security audit`
 * over RPC, so the Control UI can show findings with their fixes. Never fixes anything and never
 * runs the deep probes (those open connections to this very gateway); `palisade security audit
 * --fix|--deep` stays a host-side command. Findings never contain secret values (the checks
 * name keys and files only).
 */
import { z } from "zod";
import type { PalisadePaths } from "../../core/paths.js";
import type { MethodRegistry } from "../method-registry.js";

/** What the method needs. */
export interface SecurityMethodDeps {
  readonly paths: PalisadePaths;
  /** Environment the gateway runs with (for `${VAR}` and `.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Registers `security.audit`. */
export function registerSecurityMethods(methods: MethodRegistry, deps: SecurityMethodDeps): void {
  methods.register({
    name: "security.audit",
    scope: "operator.admin",
    params: z.strictObject({}).optional(),
    handler: async () => {
      const sec = await import("../../security/index.js");
      const ctx = await sec.buildAuditContext({ paths: deps.paths, env: deps.env });
      const report = await sec.runAudit(ctx);
      return {
        ok: !report.critical,
        ts: Date.now(),
        counts: report.counts,
        checked: report.checked,
        findings: report.findings,
      };
    },
  });
}
