import type { ModelMessage } from "ai";
import type { ModelToolCall } from "../providers/index.js";
import { describeError } from "../providers/index.js";
import { capToolResult, describeZodError, type Tool } from "./tool.js";

/** A tool call as it went: arguments, outcome and the text the model saw. */
export interface ToolCallRecord {
  readonly step: number;
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: unknown;
  /** False when refused (unknown tool, invalid arguments), failed, or not run. */
  readonly ok: boolean;
  /** What went back to the model (capped). */
  readonly output: string;
  readonly truncated: boolean;
}

/** What the executor needs from the run. */
export interface ToolExecEnv {
  readonly tools: ReadonlyMap<string, Tool>;
  readonly signal: AbortSignal;
  readonly maxResultChars: number;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly secrets: readonly string[];
  readonly onToolCall?:
    | ((call: { step: number; toolCallId: string; toolName: string; input: unknown }) => void)
    | undefined;
  readonly onToolResult?: ((result: ToolCallRecord) => void) | undefined;
  /** Answers (and records) a call to a tool that was not offered; default "Unknown tool". */
  readonly onUnknownTool?:
    | ((call: { toolCallId: string; toolName: string; input: unknown }) => string)
    | undefined;
}

/** Rejects when `signal` aborts, so a tool that ignores its signal cannot hang the run. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function runOne(env: ToolExecEnv, call: ModelToolCall): Promise<{ ok: boolean; value: unknown }> {
  const tool = env.tools.get(call.toolName);
  if (tool === undefined) {
    if (env.onUnknownTool !== undefined)
      return {
        ok: false,
        value: env.onUnknownTool({ toolCallId: call.toolCallId, toolName: call.toolName, input: call.input }),
      };
    const names = [...env.tools.keys()].join(", ") || "none";
    return { ok: false, value: `Unknown tool "${call.toolName}". Available tools: ${names}.` };
  }
  if (call.invalidReason !== undefined && typeof call.input === "string") {
    return { ok: false, value: `Invalid arguments for ${tool.name}: not valid JSON. Send a JSON object.` };
  }
  const parsed = tool.params.safeParse(call.input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      value: `Invalid arguments for ${tool.name}: ${describeZodError(parsed.error)}. Fix them and call again.`,
    };
  }
  try {
    const ctx = { toolCallId: call.toolCallId, signal: env.signal, extra: env.extra };
    return { ok: true, value: await raceAbort(Promise.resolve(tool.execute(ctx, parsed.data)), env.signal) };
  } catch (err) {
    if (env.signal.aborted) throw env.signal.reason;
    return { ok: false, value: `Tool ${tool.name} failed: ${describeError(err, env.secrets)}` };
  }
}

/** A tool message answering `calls` without running them (step limit, abort), to keep history valid. */
export function notRunMessage(calls: readonly ModelToolCall[], why: string): ModelMessage {
  return {
    role: "tool",
    content: calls.map((c) => ({
      type: "tool-result" as const,
      toolCallId: c.toolCallId,
      toolName: c.toolName,
      output: { type: "error-text" as const, value: `Not run: ${why}.` },
    })),
  };
}

/**
 * Runs a step's tool calls in order: unknown tools and invalid arguments are refused with a
 * message to the model, errors become error results, and every result is capped.
 */
export async function executeToolCalls(
  env: ToolExecEnv,
  step: number,
  calls: readonly ModelToolCall[],
): Promise<{ message: ModelMessage; records: ToolCallRecord[] }> {
  const records: ToolCallRecord[] = [];
  for (const call of calls) {
    env.onToolCall?.({ step, toolCallId: call.toolCallId, toolName: call.toolName, input: call.input });
    const { ok, value } = await runOne(env, call);
    const { text, truncated } = capToolResult(value, env.maxResultChars);
    const record: ToolCallRecord = {
      step,
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      input: call.input,
      ok,
      output: text,
      truncated,
    };
    records.push(record);
    env.onToolResult?.(record);
  }
  const message: ModelMessage = {
    role: "tool",
    content: records.map((r) => ({
      type: "tool-result" as const,
      toolCallId: r.toolCallId,
      toolName: r.toolName,
      output: r.ok
        ? { type: "text" as const, value: r.output }
        : { type: "error-text" as const, value: r.output },
    })),
  };
  return { message, records };
}
