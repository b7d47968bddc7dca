import type { Command } from "commander";
import { action, type CliContext } from "./context.js";
import { addConnectionOptions, connectFromFlags, reportCallError } from "./gateway.js";

interface ChatFlags {
  session?: string;
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

/** Longest a single answer is awaited in the interactive chat, ms. */
const ANSWER_WAIT_MS = 600_000;

/** Registers `palisade chat`: an interactive terminal chat over the gateway. */
export function registerChatCommand(program: Command): void {
  addConnectionOptions(
    program
      .command("chat")
      .description("chat with the agent in the terminal over the running gateway (streamed)")
      .option("--session <key>", "session key (default: the main session)")
      .addHelpText(
        "after",
        "\nType a message and press Enter. /new /reset /status /stop /help go to the gateway as chat\ncommands. Ctrl-C stops the answer being written; Ctrl-D exits.",
      ),
  ).action(
    action(async (ctx: CliContext, flags: ChatFlags) => {
      const client = await connectFromFlags(ctx, flags);
      const { followRun } = await import("./agent.js");
      const { createInterface } = await import("node:readline");
      const { randomUUID } = await import("node:crypto");
      const sessionKey = flags.session ?? "main";
      const tty = process.stdin.isTTY === true;
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty });
      let current: string | undefined;
      rl.on("SIGINT", () => {
        if (current === undefined) {
          process.stdout.write("\n(Ctrl-D to exit)\n");
          rl.prompt();
          return;
        }
        void client.call("chat.abort", { sessionKey, runId: current }).catch(() => {});
      });
      rl.setPrompt("you> ");
      if (tty) {
        ctx.out(`chatting in session ${sessionKey}; /help for commands, Ctrl-D to exit`);
        rl.prompt();
      }
      try {
        for await (const line of rl) {
          const message = line.trim();
          if (message !== "") {
            const runId = randomUUID();
            current = runId;
            const result = followRun(client, runId, ANSWER_WAIT_MS, (d) => process.stdout.write(d));
            await client.call("chat.send", { sessionKey, message, idempotencyKey: runId });
            const r = await result;
            current = undefined;
            if (!r.streamed && r.state !== "aborted") process.stdout.write(r.text);
            if (r.state === "aborted") process.stdout.write(r.streamed ? " [stopped]" : "[stopped]");
            if (r.state === "timeout") process.stdout.write("[no answer in time]");
            process.stdout.write("\n");
          }
          if (tty) rl.prompt();
        }
      } catch (err) {
        return reportCallError(ctx, err);
      } finally {
        rl.close();
        client.close();
      }
      return 0;
    }),
  );
}
