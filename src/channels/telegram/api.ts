import { Api, GrammyError, HttpError } from "grammy";
import { fail, type PalisadeError } from "../../core/errors.js";
import { backoffDelay, sleep } from "../backoff.js";

/** Longest `retry_after` honoured by waiting, seconds; longer ones fail the call. */
export const MAX_RETRY_AFTER_SECONDS = 120;

/** Options of {@link createTelegramApi}. */
export interface TelegramApiOptions {
  readonly token: string;
  /** Bot API root (default https://api.telegram.org). */
  readonly apiRoot?: string | undefined;
  /** Request timeout, seconds. */
  readonly timeoutSeconds: number;
  /** HTTP client; default the global fetch (undici: keep-alive, native abort signals). */
  readonly fetch?: typeof fetch | undefined;
}

/**
 * A grammY `Api` client for one bot. grammY keeps the token out of its own error messages
 * (`sensitiveLogs` stays false); {@link toChannelError} also scrubs it from anything else.
 */
export function createTelegramApi(opts: TelegramApiOptions): Api {
  return new Api(opts.token, {
    ...(opts.apiRoot === undefined ? {} : { apiRoot: opts.apiRoot.replace(/\/+$/, "") }),
    timeoutSeconds: opts.timeoutSeconds,
    fetch: nativeSignalFetch(opts.fetch ?? globalThis.fetch),
  });
}

/** A caller's abort signal as the `abort-controller` polyfill grammY uses on Node shapes it. */
export type ApiSignal = Parameters<Api["getMe"]>[0];

/** A native signal passed where grammY's types expect its polyfill's signal (same behaviour). */
export const apiSignal = (signal: AbortSignal): ApiSignal => signal as unknown as ApiSignal;

/**
 * grammY on Node hands fetch an `abort-controller` polyfill signal, which Node's own fetch
 * refuses; this bridges it to a native signal so grammY can use the built-in fetch (keep-alive
 * connection pool, no extra dependency) and still abort long polls and timeouts.
 */
function nativeSignalFetch(f: typeof fetch): typeof fetch {
  return (input, init) => {
    const foreign = init?.signal as unknown as
      | { aborted: boolean; addEventListener(t: "abort", l: () => void): void }
      | null
      | undefined;
    if (foreign === null || foreign === undefined || foreign instanceof AbortSignal) return f(input, init);
    const ctrl = new AbortController();
    if (foreign.aborted) ctrl.abort();
    else foreign.addEventListener("abort", () => ctrl.abort());
    return f(input, { ...init, signal: ctrl.signal });
  };
}

/** Replaces every occurrence of `token` (and its URL-encoded form) in `text`. */
export function scrubToken(text: string, token: string): string {
  if (token === "") return text;
  return text.split(token).join("<redacted>").split(encodeURIComponent(token)).join("<redacted>");
}

/** The retry_after of a 429, seconds; undefined for other errors. */
export function retryAfterOf(err: unknown): number | undefined {
  if (err instanceof GrammyError && err.error_code === 429) return err.parameters.retry_after ?? 1;
  return undefined;
}

/**
 * A typed, token-free error for a failed call: PAL_CHANNEL_RATE_LIMITED (429),
 * PAL_CHANNEL_REJECTED (the API said no, 4xx) or PAL_CHANNEL_API_FAILED (network, 5xx, timeout).
 * The grammY error is not kept as `cause`: its inner fetch error can carry the request URL,
 * which holds the token.
 */
export function toChannelError(err: unknown, method: string, token: string): PalisadeError {
  const raw = err instanceof Error ? err.message : String(err);
  const detail = scrubToken(raw, token).slice(0, 300);
  const after = retryAfterOf(err);
  if (after !== undefined) {
    return fail(
      "PAL_CHANNEL_RATE_LIMITED",
      { channel: "telegram", method, seconds: after },
      { retryAfterMs: after * 1000 },
    );
  }
  if (err instanceof GrammyError && err.error_code < 500) {
    return fail("PAL_CHANNEL_REJECTED", { channel: "telegram", method, detail });
  }
  return fail("PAL_CHANNEL_API_FAILED", { channel: "telegram", method, detail });
}

/** Whether a failed call may succeed when repeated (network, 5xx, 429). */
export function isTransient(err: unknown): boolean {
  if (err instanceof HttpError) return true;
  if (err instanceof GrammyError) return err.error_code === 429 || err.error_code >= 500;
  return !(err instanceof Error && err.name === "AbortError");
}

/** Options of {@link callWithRetry}. */
export interface RetryOptions {
  readonly method: string;
  readonly token: string;
  /** Attempts for network errors and 5xx. Default 4. */
  readonly attempts?: number;
  /** Waits (429 `retry_after`, backoff); injected by tests. Default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told of every 429 so the adapter can pause its other sends too. */
  readonly onRateLimit?: (retryAfterSeconds: number) => void;
  /** Called before each attempt (waits out a shared flood-control pause). */
  readonly before?: () => Promise<void>;
}

/**
 * Calls `fn`, honouring Telegram's 429 `retry_after` (waiting exactly that long, up to
 * {@link MAX_RETRY_AFTER_SECONDS}; 429s do not use up attempts, but at most 10 are waited out)
 * and retrying network errors and 5xx with backoff. 4xx fail at once. Errors come out typed and
 * token-free.
 */
export async function callWithRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const wait = opts.sleep ?? ((ms: number) => sleep(ms));
  const attempts = opts.attempts ?? 4;
  let failures = 0;
  let limited = 0;
  for (;;) {
    await opts.before?.();
    try {
      return await fn();
    } catch (err) {
      const after = retryAfterOf(err);
      if (after !== undefined && after <= MAX_RETRY_AFTER_SECONDS && limited < 10) {
        limited++;
        opts.onRateLimit?.(after);
        await wait(after * 1000);
        continue;
      }
      failures++;
      if (after !== undefined || !isTransient(err) || failures >= attempts) {
        throw toChannelError(err, opts.method, opts.token);
      }
      await wait(backoffDelay(failures - 1, { baseMs: 250, maxMs: 5000 }));
    }
  }
}
