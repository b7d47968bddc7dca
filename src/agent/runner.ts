import type { ModelMessage } from "ai";
import { fail, PalisadeError } from "../core/errors.js";
import {
  addUsage,
  type ModelCallOptions,
  type ModelToolCall,
  type ResolvedModel,
  streamModelStep,
  type Usage,
  ZERO_USAGE,
} from "../providers/index.js";
import { DEFAULT_MAX_TOOL_RESULT_CHARS, type Tool, toSdkTools } from "./tool.js";
import { executeToolCalls, notRunMessage, type ToolCallRecord } from "./tool-exec.js";

/** Why a run ended. */
export type AgentFinishReason = "stop" | "length" | "max-steps" | "aborted" | "timeout" | "error";

/** Provider call settings the runner passes through (retries, stall timeout, injected I/O). */
export type RunProviderOptions = Omit<ModelCallOptions, "signal" | "onDelta">;

/** Options of {@link runAgent}. */
export interface RunAgentOptions {
  /** The model chain: primary first, then fallbacks (from `ModelRegistry.chain`). Empty: no model. */
  readonly models: readonly ResolvedModel[];
  /** System prompt (see `buildSystemPrompt`). */
  readonly system?: string | undefined;
  /** Earlier messages of the session, oldest first. */
  readonly history?: readonly ModelMessage[] | undefined;
  /** The user's new message. */
  readonly message: string;
  /** Exactly the tools the policy allows for this run; nothing else is offered. Default none. */
  readonly tools?: readonly Tool[] | undefined;
  /** Model calls per run. Default 25. */
  readonly maxSteps?: number | undefined;
  /** Whole-run time limit, ms. Default 600_000. */
  readonly timeoutMs?: number | undefined;
  /** Stops the run promptly (`/stop`, `chat.abort`). */
  readonly abortSignal?: AbortSignal | undefined;
  /** Cap on each tool result sent to the model, characters. Default 20_000. */
  readonly maxToolResultChars?: number | undefined;
  /** Values handed to every tool as `ctx.extra` (session key, sandbox, ...). */
  readonly toolContext?: Readonly<Record<string, unknown>> | undefined;
  /** Streamed text; `step` is the 1-based model call it came from. */
  readonly onDelta?: ((text: string, info: { step: number }) => void) | undefined;
  readonly onToolCall?:
    | ((call: { step: number; toolCallId: string; toolName: string; input: unknown }) => void)
    | undefined;
  readonly onToolResult?: ((result: ToolCallRecord) => void) | undefined;
  /** Answers (and audits) a call to a tool that was not offered (the tool policy refused it). */
  readonly onUnknownTool?:
    | ((call: { toolCallId: string; toolName: string; input: unknown }) => string)
    | undefined;
  /** Retry, timeout and I/O settings for model calls. */
  readonly provider?: RunProviderOptions | undefined;
  /** What the user is told when every model failed. */
  readonly apologyText?: string | undefined;
}

/** The outcome of a run. `error` is for the operator log; `text` is what the user sees. */
export interface AgentResult {
  readonly text: string;
  /** Model calls made. */
  readonly steps: number;
  readonly toolCalls: readonly ToolCallRecord[];
  readonly usage: Usage;
  readonly finishReason: AgentFinishReason;
  /** New messages for the transcript: the user message, then assistant and tool messages. */
  readonly messages: readonly ModelMessage[];
  /** The model ref that answered each step. */
  readonly modelRefs: readonly string[];
  readonly error?: PalisadeError;
}

/** Default reply when every model failed. */
export const DEFAULT_APOLOGY =
  "Sorry, I can't reach the language model right now. Please try again in a moment.";
/** Reply when no model is configured, telling the operator what to do. */
export const NO_MODEL_TEXT =
  'No model is configured yet. Set agents.defaults.model (e.g. "anthropic/claude-sonnet-4-5") and the provider\'s API key, then try again.';
const TIMEOUT_TEXT = "Sorry, that took too long and was stopped.";

const MAX_STEPS_LIMIT = 200;

interface RunState {
  texts: string[];
  partial: string;
  steps: number;
  usage: Usage;
  toolCalls: ToolCallRecord[];
  messages: ModelMessage[];
  refs: string[];
  pending: readonly ModelToolCall[];
}

function joinText(parts: readonly string[]): string {
  return parts.filter((t) => t !== "").join("\n\n");
}

/**
 * Runs the model <-> tool loop for one user message: streams text, validates and executes the
 * tool calls the model makes (only the tools given), feeds capped results back, and stops at the
 * step limit, the timeout or the abort signal. Never throws for provider failures: the user gets
 * a short apology and `error` carries the real cause.
 */
export async function runAgent(opts: RunAgentOptions): Promise<AgentResult> {
  const maxSteps = Math.min(MAX_STEPS_LIMIT, Math.max(1, opts.maxSteps ?? 25));
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const userMessage: ModelMessage = { role: "user", content: opts.message };
  const st: RunState = {
    texts: [],
    partial: "",
    steps: 0,
    usage: ZERO_USAGE,
    toolCalls: [],
    messages: [userMessage],
    refs: [],
    pending: [],
  };
  const finish = (finishReason: AgentFinishReason, text: string, error?: PalisadeError): AgentResult => ({
    text,
    steps: st.steps,
    toolCalls: st.toolCalls,
    usage: st.usage,
    finishReason,
    messages: st.messages,
    modelRefs: st.refs,
    ...(error === undefined ? {} : { error }),
  });
  if (opts.models.length === 0) return finish("error", NO_MODEL_TEXT, fail("PAL_PROVIDER_NO_MODEL"));

  const tools = opts.tools ?? [];
  const sdkTools = tools.length === 0 ? undefined : await toSdkTools(tools);
  const ctrl = new AbortController();
  const onOuterAbort = () => ctrl.abort(fail("PAL_AGENT_ABORTED", { reason: "stopped by request" }));
  if (opts.abortSignal?.aborted) onOuterAbort();
  opts.abortSignal?.addEventListener("abort", onOuterAbort, { once: true });
  const timer = setTimeout(() => ctrl.abort(fail("PAL_AGENT_TIMEOUT", { timeoutMs })), timeoutMs);
  timer.unref?.();
  const secrets = opts.provider?.secrets ?? [];
  const execEnv = {
    tools: new Map(tools.map((t) => [t.name, t] as const)),
    signal: ctrl.signal,
    maxResultChars: opts.maxToolResultChars ?? DEFAULT_MAX_TOOL_RESULT_CHARS,
    extra: opts.toolContext ?? {},
    secrets,
    onToolCall: opts.onToolCall,
    onToolResult: opts.onToolResult,
    onUnknownTool: opts.onUnknownTool,
  };

  try {
    for (let step = 1; step <= maxSteps; step++) {
      if (ctrl.signal.aborted) throw ctrl.signal.reason;
      st.steps = step;
      st.partial = "";
      let first = true;
      const result = await streamModelStep(
        opts.models,
        { system: opts.system, messages: [...(opts.history ?? []), ...st.messages], tools: sdkTools },
        {
          ...opts.provider,
          signal: ctrl.signal,
          onDelta: (d) => {
            // Separate the text of successive steps the same way `text` joins them.
            if (first && joinText(st.texts) !== "") opts.onDelta?.("\n\n", { step });
            first = false;
            st.partial += d;
            opts.onDelta?.(d, { step });
          },
        },
      );
      st.usage = addUsage(st.usage, result.usage);
      st.refs.push(result.ref);
      st.texts.push(result.text);
      st.partial = "";
      st.messages.push(...result.messages);
      if (result.toolCalls.length === 0) {
        return finish(result.finishReason === "length" ? "length" : "stop", joinText(st.texts));
      }
      if (step === maxSteps) {
        st.messages.push(notRunMessage(result.toolCalls, `the run reached its limit of ${maxSteps} steps`));
        return finish("max-steps", joinText(st.texts));
      }
      st.pending = result.toolCalls;
      const { message, records } = await executeToolCalls(execEnv, step, result.toolCalls);
      st.pending = [];
      st.toolCalls.push(...records);
      st.messages.push(message);
    }
    return finish("max-steps", joinText(st.texts));
  } catch (err) {
    if (st.pending.length > 0) st.messages.push(notRunMessage(st.pending, "the run was stopped"));
    const sofar = joinText([...st.texts, st.partial]);
    if (ctrl.signal.aborted) {
      const reason = ctrl.signal.reason;
      const error =
        reason instanceof PalisadeError ? reason : fail("PAL_AGENT_ABORTED", { reason: "aborted" });
      if (error.code === "PAL_AGENT_TIMEOUT")
        return finish("timeout", joinText([sofar, TIMEOUT_TEXT]), error);
      return finish("aborted", sofar, error);
    }
    const error = err instanceof PalisadeError ? err : fail("PAL_INTERNAL", {}, { cause: err });
    return finish("error", joinText([sofar, opts.apologyText ?? DEFAULT_APOLOGY]), error);
  } finally {
    clearTimeout(timer);
    opts.abortSignal?.removeEventListener("abort", onOuterAbort);
  }
}
