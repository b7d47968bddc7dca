import type { Command } from "commander";

/** Registers `palisade config ...` (filled in by the config work). */
export function registerConfigCommands(program: Command): void {
  program.command("config").description("read, change and validate the config file");
}
