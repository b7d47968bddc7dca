import type { FinishReason, ModelMessage, ToolSet } from "ai";
import { fail, PalisadeError } from "../core/errors.js";
import { generateStep, streamStep } from "./model-step.js";
import { describeError } from "./redact.js";
import { abortableSleep, backoffDelay, classifyFailure, type RetryOptions } from "./retry.js";
import { loadSdk, type Sdk } from "./sdk.js";
import type { ResolvedModel } from "./types.js";
import { type Usage, usageFromSdk } from "./usage.js";

/** One model request: what the model sees. */
export interface ModelStepRequest {
  readonly system?: string | undefined;
  readonly messages: readonly ModelMessage[];
  /** Tool definitions without `execute`: the caller runs tools itself. */
  readonly tools?: ToolSet | undefined;
  /** Max output tokens; default the model's `maxTokens` or the provider's default. */
  readonly maxOutputTokens?: number | undefined;
}

/** A failed attempt, reported so the operator log can show it (already secret-free). */
export interface AttemptFailure {
  readonly ref: string;
  readonly attempt: number;
  readonly status?: number;
  readonly detail: string;
  /** Delay before the next attempt on the same model; absent when moving to the next model. */
  readonly retryInMs?: number;
}

/** How a model step is run: retries, timeouts, streaming and injected I/O. */
export interface ModelCallOptions extends RetryOptions {
  /** Aborts the call promptly (the run's signal). */
  readonly signal?: AbortSignal | undefined;
  /** Longest silence from the provider before an attempt is abandoned, in ms. Default 60_000. */
  readonly stallTimeoutMs?: number | undefined;
  /**
   * Stream with SSE (default) or ask for one JSON answer (cheaper: no stream machinery). A
   * non-streaming attempt cannot show progress, so it must answer within `stallTimeoutMs`;
   * when one does not, the step's later attempts stream, so a long answer from a live model
   * still completes and a hung one is given up on as fast as when streaming.
   */
  readonly stream?: boolean | undefined;
  /** Receives text as it arrives. */
  readonly onDelta?: ((text: string) => void) | undefined;
  /** Called for every failed attempt. */
  readonly onAttemptFailed?: ((f: AttemptFailure) => void) | undefined;
  /** Injected sleep; default a timer that rejects on abort. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Injected jitter source in [0, 1). Default `Math.random`. */
  readonly random?: (() => number) | undefined;
  /** Injected clock for Retry-After dates. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** Keys to scrub from error text. */
  readonly secrets?: readonly string[] | undefined;
}

/** A tool call the model asked for; `invalidReason` when the SDK could not parse it. */
export interface ModelToolCall {
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: unknown;
  readonly invalidReason?: string;
}

/** What one successful model step produced. */
export interface ModelStepResult {
  /** The model that answered (after fallbacks). */
  readonly ref: string;
  readonly text: string;
  readonly toolCalls: readonly ModelToolCall[];
  readonly finishReason: FinishReason;
  readonly usage: Usage;
  /** Assistant message(s) to append to the conversation, provider metadata kept. */
  readonly messages: readonly ModelMessage[];
  /** Attempts made across the chain, this one included. */
  readonly attempts: number;
}

interface AttemptState {
  text: string;
  /** True once text reached `onDelta`: retrying then would repeat it to the user. */
  emitted: boolean;
}

interface StallTimer {
  readonly signal: AbortSignal;
  /** The timeout error (the abort reason once it fired). */
  error(): PalisadeError;
  kick(): void;
  stop(): void;
}

function stallTimer(ref: string, ms: number, outer: AbortSignal | undefined): StallTimer {
  const ctrl = new AbortController();
  // Built only when needed: an error (with its stack) per model call is measurable hot-path work.
  let err: PalisadeError | undefined;
  const error = () => {
    err ??= fail("PAL_PROVIDER_TIMEOUT", { ref, timeoutMs: ms });
    return err;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const kick = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(error()), ms);
    timer.unref?.();
  };
  kick();
  const signal = outer === undefined ? ctrl.signal : AbortSignal.any([outer, ctrl.signal]);
  return { signal, error, kick, stop: () => clearTimeout(timer) };
}

async function attemptOnce(
  sdk: Sdk,
  m: ResolvedModel,
  req: ModelStepRequest,
  opts: ModelCallOptions,
  stream: boolean,
  state: AttemptState,
  signal: AbortSignal,
  kick: () => void,
): Promise<Omit<ModelStepResult, "attempts">> {
  const model = await m.languageModel();
  const onDelta = (text: string) => {
    state.text += text;
    state.emitted = true;
    opts.onDelta?.(text);
  };
  const r = stream
    ? await streamStep(sdk, model, req, signal, onDelta, kick)
    : await generateStep(sdk, model, req, signal);
  if (!stream && r.text !== "") onDelta(r.text);
  return {
    ref: m.ref,
    text: r.text,
    toolCalls: r.toolCalls,
    finishReason: r.finishReason,
    usage: usageFromSdk(r.usage, m.info.cost),
    messages: r.messages,
  };
}

/**
 * Runs one model step over a fallback chain: each model gets `maxAttempts` tries with backoff
 * (honouring Retry-After), then the next model is tried. Text already streamed to the user is
 * never repeated: a stream cut after visible text fails cleanly instead of retrying.
 * Throws the signal's reason on abort, else `PAL_PROVIDER_ALL_FAILED` with the last error as cause.
 */
export async function streamModelStep(
  chain: readonly ResolvedModel[],
  req: ModelStepRequest,
  opts: ModelCallOptions = {},
): Promise<ModelStepResult> {
  if (chain.length === 0) throw fail("PAL_PROVIDER_NO_MODEL");
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const secrets = opts.secrets ?? [];
  const stallMs = opts.stallTimeoutMs ?? 60_000;
  let attempts = 0;
  let stream = opts.stream !== false;
  let last: PalisadeError | undefined;
  const failedRefs: string[] = [];
  const failures: AttemptFailure[] = [];
  // Loaded once per process, on the first model call; a load failure counts as a failed attempt.
  let sdk: Sdk | undefined;

  for (const m of chain) {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      attempts++;
      const state: AttemptState = { text: "", emitted: false };
      const timer = stallTimer(m.ref, stallMs, opts.signal);
      try {
        sdk ??= await loadSdk();
        const result = await attemptOnce(sdk, m, req, opts, stream, state, timer.signal, timer.kick);
        return { ...result, attempts };
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        const timedOut = timer.signal.aborted;
        // Silence is all a non-streaming attempt shows, even from a model still writing a long
        // answer: the next attempts stream, so progress keeps them alive.
        if (timedOut) stream = true;
        const cls = timedOut ? { retryable: true } : classifyFailure(err, now(), sdk?.APICallError);
        const cause = timedOut ? timer.error() : err;
        const status = "status" in cls ? cls.status : undefined;
        const detail = `${status === undefined ? "" : `HTTP ${status}: `}${describeError(cause, secrets)}`;
        last = fail(
          "PAL_PROVIDER_FAILED",
          { ref: m.ref, attempts: attempt, detail },
          { cause, details: { ref: m.ref, ...(status === undefined ? {} : { status }) } },
        );
        const base = { ref: m.ref, attempt, detail, ...(status === undefined ? {} : { status }) };
        if (state.emitted) {
          opts.onAttemptFailed?.(base);
          throw fail(
            "PAL_PROVIDER_ALL_FAILED",
            { refs: m.ref, detail: `${detail} (after partial output)` },
            { cause: last, details: { failures: [...failures, base], partialText: state.text } },
          );
        }
        const wait = cls.retryAfterMs ?? backoffDelay(attempt, opts, random);
        const canRetry = cls.retryable && attempt < maxAttempts && wait <= (opts.maxRetryAfterMs ?? 60_000);
        opts.onAttemptFailed?.(canRetry ? { ...base, retryInMs: wait } : base);
        if (!canRetry) {
          failures.push(base);
          break;
        }
        await sleep(wait, opts.signal);
      } finally {
        timer.stop();
      }
    }
    failedRefs.push(m.ref);
  }
  throw fail(
    "PAL_PROVIDER_ALL_FAILED",
    { refs: failedRefs.join(", "), detail: last === undefined ? "unknown" : String(last.params.detail) },
    { cause: last, details: { failures } },
  );
}

/** True for the error {@link streamModelStep} throws when every model failed. */
export function isProviderFailure(err: unknown): err is PalisadeError {
  return err instanceof PalisadeError && err.code === "PAL_PROVIDER_ALL_FAILED";
}
