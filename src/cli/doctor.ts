import type { Command } from "commander";
import { action, type CliContext } from "./context.js";

interface Flags {
  fix?: boolean;
  deep?: boolean;
  json?: boolean;
  generateGatewayToken?: boolean;
}

async function doctor(ctx: CliContext, flags: Flags): Promise<number> {
  const d = await import("../doctor/index.js");
  if (flags.generateGatewayToken) {
    const g = await d.generateGatewayToken(ctx.paths, process.env);
    for (const a of g.actions) ctx.out(a);
    ctx.out(
      "restart the gateway to use it; clients need the new token (print it with `palisade gateway token`)",
    );
    const { existsSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { openStore, appendAudit } = await import("../store/index.js");
    if (existsSync(ctx.paths.stateDir)) {
      const store = openStore({ file: join(ctx.paths.stateDir, "state.sqlite") });
      try {
        appendAudit(store, {
          type: "gateway.token.generated",
          actor: "cli",
          severity: "warn",
          detail: { location: g.location },
        });
      } finally {
        store.close();
      }
    }
  }
  const results = await d.runDoctor({ paths: ctx.paths, fix: flags.fix === true, deep: flags.deep === true });
  if (flags.json)
    ctx.out(JSON.stringify({ ok: !results.some((r) => r.status === "fail"), results }, null, 2));
  else ctx.out(d.formatDoctor(results));
  return results.some((r) => r.status === "fail") ? 1 : 0;
}

/** `palisade doctor`. */
export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("diagnose the deployment; repairs only with --fix")
    .option("--fix", "repair what is safe: permissions, stale gateway lock, missing dirs")
    .option("--deep", "also check that model providers answer (GET <baseUrl>/models)")
    .option("--generate-gateway-token", "write a fresh 256-bit gateway token where the config reads it")
    .option("--json", "machine-readable report")
    .addHelpText("after", "\nExit codes: 0 no failure, 1 at least one failed check.")
    .action(action((ctx, flags: Flags) => doctor(ctx, flags)));
}
