import type { Command } from "commander";
import type { GatewayClient } from "../client/index.js";
import { fail } from "../core/errors.js";
import { action, type CliContext } from "./context.js";
import { addConnectionOptions, connectFromFlags, reportCallError } from "./gateway.js";

/** A `chat` event payload (the fields the CLI reads). */
export interface ChatEventPayload {
  runId?: string;
  state?: "delta" | "final" | "aborted" | "error";
  deltaText?: string;
  message?: { content?: Array<{ type?: string; text?: string }> };
  errorMessage?: string;
  stopReason?: string;
  usage?: unknown;
}

/** How a run ended, as the CLI saw it. */
export interface RunResult {
  state: "final" | "aborted" | "error" | "timeout";
  text: string;
  streamed: boolean;
  stopReason?: string | undefined;
  usage?: unknown;
}

/**
 * Collects the `chat` events of `runId` until the terminal one, calling `onDelta` with streamed
 * text. Subscribe before sending (events can arrive before the ack). Resolves `timeout` after
 * `waitMs`.
 */
export function followRun(
  client: GatewayClient,
  runId: string,
  waitMs: number,
  onDelta: (text: string) => void = () => {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    let streamed = "";
    const done = (r: RunResult) => {
      off();
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ state: "timeout", text: streamed, streamed: streamed !== "" }),
      waitMs,
    );
    const off = client.onEvent((ev) => {
      if (ev.event !== "chat") return;
      const p = (ev.payload ?? {}) as ChatEventPayload;
      if (p.runId !== runId) return;
      if (p.state === "delta") {
        const d = p.deltaText ?? "";
        streamed += d;
        if (d !== "") onDelta(d);
        return;
      }
      const text = (p.message?.content ?? []).map((c) => (c.type === "text" ? (c.text ?? "") : "")).join("");
      const state = p.state === "final" || p.state === "aborted" ? p.state : "error";
      done({
        state,
        text: state === "error" ? (p.errorMessage ?? text) : text,
        streamed: streamed !== "",
        stopReason: p.stopReason,
        usage: p.usage,
      });
    });
  });
}

interface AgentFlags {
  message?: string;
  session?: string;
  agent?: string;
  json?: boolean;
  wait: string;
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

/** Registers `palisade agent`. */
export function registerAgentCommand(program: Command): void {
  addConnectionOptions(
    program
      .command("agent")
      .description("send one message to an agent over the running gateway and print the answer")
      .requiredOption("-m, --message <text>", "the message")
      .option("--session <key>", "session key (default: the agent's main session)")
      .option("--agent <id>", "agent id (default: the default agent)")
      .option("--wait <ms>", "how long to wait for the answer", "600000")
      .option("--json", "print one JSON object with the result")
      .addHelpText("after", '\nExample:\n  palisade agent --message "What changed today?" --session work'),
  ).action(
    action(async (ctx: CliContext, flags: AgentFlags) => {
      const waitMs = Number(flags.wait);
      if (!Number.isFinite(waitMs) || waitMs <= 0)
        throw fail("PAL_USAGE", { detail: "--wait takes milliseconds" });
      const message = flags.message ?? "";
      if (message.trim() === "") throw fail("PAL_USAGE", { detail: "--message is empty" });
      const client = await connectFromFlags(ctx, flags);
      const { randomUUID } = await import("node:crypto");
      const runId = randomUUID();
      const write = (t: string) => process.stdout.write(t);
      const result = followRun(client, runId, waitMs, flags.json ? undefined : write);
      try {
        const ack = await client.call<{ sessionKey?: string }>("agent", {
          message,
          idempotencyKey: runId,
          ...(flags.session === undefined ? {} : { sessionKey: flags.session }),
          ...(flags.agent === undefined ? {} : { agentId: flags.agent }),
        });
        const r = await result;
        if (r.state === "timeout") {
          await client.call("chat.abort", { sessionKey: ack.sessionKey ?? flags.session ?? "main", runId });
        }
        if (flags.json) {
          ctx.out(
            JSON.stringify({ runId, state: r.state, text: r.text, stopReason: r.stopReason, usage: r.usage }),
          );
        } else if (r.state === "error" || r.state === "timeout") {
          if (r.streamed) write("\n");
          ctx.err(
            r.state === "timeout" ? `error: no answer within ${waitMs} ms; the run was stopped` : r.text,
          );
        } else {
          if (!r.streamed) write(r.text);
          write("\n");
        }
        return r.state === "final" ? 0 : 1;
      } catch (err) {
        return reportCallError(ctx, err);
      } finally {
        client.close();
      }
    }),
  );
}
