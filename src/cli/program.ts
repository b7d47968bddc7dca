import { Command, CommanderError } from "commander";
import { VERSION } from "../core/version.js";
import { registerAccessCommands } from "./access.js";
import { registerAgentCommand } from "./agent.js";
import { registerApprovalsCommands } from "./approvals.js";
import { registerAuditCommands } from "./audit.js";
import { registerChannelsCommands } from "./channels.js";
import { registerChatCommand } from "./chat.js";
import { registerConfigCommands } from "./config.js";
import { registerDevicesCommands } from "./devices.js";
import { registerDoctorCommand } from "./doctor.js";
import { registerGatewayCommands } from "./gateway.js";
import { registerLogsCommand } from "./logs.js";
import { registerModelsCommands } from "./models.js";
import { registerPairingCommands } from "./pairing.js";
import { registerSandboxCommands } from "./sandbox.js";
import { registerSecurityCommands } from "./security.js";
import { registerServiceCommands } from "./service.js";
import { registerSoulCommands } from "./soul.js";

/**
 * The palisade command tree. Command files only declare names, options and help; each action
 * imports the modules it needs when it runs, so `--help` stays fast.
 */
export function buildProgram(): Command {
  const program = new Command("palisade")
    .description("Palisade: a security-first AI agent gateway (OpenClaw-compatible config and protocol).")
    .version(VERSION, "-V, --version", "print the version")
    .option("--state-dir <dir>", "state directory (env PALISADE_STATE_DIR; default ~/.palisade)")
    .option("--config <file>", "config file (env PALISADE_CONFIG_PATH; default <state-dir>/palisade.json)")
    .option("--verbose", "show debug detail and stack traces on errors")
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      `
Examples:
  palisade gateway run             start the gateway in the foreground (what npm start does)
  palisade config validate         check the config file and list every problem
  palisade config get gateway.port read one value
  palisade config set gateway.bind '"loopback"'

Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.`,
    );
  registerGatewayCommands(program);
  registerConfigCommands(program);
  registerAgentCommand(program);
  registerChatCommand(program);
  registerModelsCommands(program);
  registerLogsCommand(program);
  registerDevicesCommands(program);
  registerChannelsCommands(program);
  registerSecurityCommands(program);
  registerDoctorCommand(program);
  registerAuditCommands(program);
  registerSoulCommands(program);
  registerServiceCommands(program);
  registerSandboxCommands(program);
  registerApprovalsCommands(program);
  registerPairingCommands(program);
  registerAccessCommands(program);
  return program;
}

/** Parses argv and runs; commander's own usage errors exit 2, help and version exit 0. */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  program.exitOverride();
  for (const c of allCommands(program)) c.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok =
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help";
      process.exitCode = ok ? 0 : 2;
      return;
    }
    throw err;
  }
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}
