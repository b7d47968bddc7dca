import { realpathSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { action, type CliContext } from "./context.js";

interface Flags {
  user?: boolean;
  sandboxBackend: string;
  account: string;
}

async function printSystemd(ctx: CliContext, flags: Flags): Promise<number> {
  const { fail } = await import("../core/errors.js");
  if (flags.sandboxBackend !== "docker" && flags.sandboxBackend !== "bwrap")
    throw fail("PAL_USAGE", {
      detail: `--sandbox-backend must be docker or bwrap, got ${flags.sandboxBackend}`,
    });
  const { renderSystemdUnit } = await import("../security/index.js");
  const bin = realpathSync(process.argv[1] ?? join(process.cwd(), "bin", "palisade.js"));
  ctx.out(
    renderSystemdUnit({
      node: process.execPath,
      bin,
      stateDir: ctx.paths.stateDir,
      configPath: ctx.paths.configExplicit ? ctx.paths.configPath : undefined,
      user: flags.user === true,
      account: flags.account,
      sandboxBackend: flags.sandboxBackend,
    }),
  );
  return 0;
}

/** `palisade service print systemd`. */
export function registerServiceCommands(program: Command): void {
  const service = program.command("service").description("service manager files");
  const print = service.command("print").description("print a service file to stdout");
  print
    .command("systemd")
    .description("a hardened systemd unit for `palisade gateway run`")
    .option("--user", "a user unit (systemctl --user) instead of a system unit")
    .option("--sandbox-backend <backend>", "docker or bwrap (bwrap allows a tighter unit)", "docker")
    .option("--account <name>", "service account of a system unit", "palisade")
    .addHelpText(
      "after",
      `
Install (system unit):
  palisade service print systemd > /etc/systemd/system/palisade.service
  systemctl daemon-reload && systemctl enable --now palisade
  systemd-analyze security palisade.service`,
    )
    .action(action((ctx, flags: Flags) => printSystemd(ctx, flags)));
}
