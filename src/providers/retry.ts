import type { APICallError } from "ai";

/** Retry policy for one model; every field has a bounded default. */
export interface RetryOptions {
  /** Attempts per model, first one included. Default 3. */
  readonly maxAttempts?: number;
  /** First backoff delay in ms. Default 500. */
  readonly baseDelayMs?: number;
  /** Largest backoff delay in ms. Default 20_000. */
  readonly maxDelayMs?: number;
  /**
   * Longest Retry-After worth waiting for, in ms; a longer one moves on to the next model
   * instead. Default 60_000.
   */
  readonly maxRetryAfterMs?: number;
}

/** What a failure means for retrying. */
export interface FailureClass {
  /** 408, 409, 425, 429, 5xx, network errors and cut streams are retryable; other 4xx are not. */
  readonly retryable: boolean;
  /** HTTP status when the API answered. */
  readonly status?: number;
  /** Server-requested wait, from `retry-after-ms` or `retry-after`. */
  readonly retryAfterMs?: number;
}

/** Parses `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(
  headers: Readonly<Record<string, string>> | undefined,
  nowMs: number,
): number | undefined {
  if (headers === undefined) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ms = Number.parseFloat(lower["retry-after-ms"] ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = lower["retry-after"];
  if (raw === undefined) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const RETRYABLE_STATUS = new Set([408, 409, 425, 429]);

/** The AI SDK's check for its API errors (`APICallError`); passed in because the SDK loads lazily. */
export interface ApiErrorCheck {
  isInstance(err: unknown): err is APICallError;
}

/**
 * Classifies an error thrown by an AI SDK call. `apiError` is the loaded SDK's `APICallError`;
 * undefined (the SDK did not load) treats every error as a network failure.
 */
export function classifyFailure(
  err: unknown,
  nowMs: number,
  apiError: ApiErrorCheck | undefined,
): FailureClass {
  if (apiError?.isInstance(err)) {
    const status = err.statusCode;
    const retryAfterMs = parseRetryAfter(err.responseHeaders, nowMs);
    // A 2xx here means the body broke mid-way (a cut stream): worth another try.
    const retryable = status === undefined || status < 400 || status >= 500 || RETRYABLE_STATUS.has(status);
    return {
      retryable,
      ...(status === undefined ? {} : { status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  // fetch failures (ECONNREFUSED, "terminated" on a cut stream), stall timeouts and SDK stream
  // parse errors: the request may work again.
  return { retryable: true };
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, opts: RetryOptions, random: () => number): number {
  const base = opts.baseDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 20_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Sleeps `ms`, rejecting with the signal's reason when it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
