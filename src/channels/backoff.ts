/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** First delay, ms. Default 500. */
  readonly baseMs?: number;
  /** Largest delay, ms. Default 30_000. */
  readonly maxMs?: number;
  /** Random source in [0, 1); injected by tests. Default Math.random. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": the n-th retry (from 0) waits between half and all
 * of `min(maxMs, baseMs * 2^n)`, so reconnecting clients spread out but never retry at once.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 500;
  const max = opts.maxMs ?? 30_000;
  const cap = Math.min(max, base * 2 ** Math.min(Math.max(0, attempt), 30));
  const r = (opts.random ?? Math.random)();
  return Math.round(cap / 2 + (cap / 2) * r);
}

/** Resolves after `ms`, or at once (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
