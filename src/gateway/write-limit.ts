/**
 * Sliding-window limit on config writes per caller key (device and address): 30 per 60 s by
 * default. Bounded: at most `maxKeys` callers are tracked; the least recent is forgotten first.
 */

/** Options of {@link WriteLimiter}. */
export interface WriteLimiterOptions {
  /** Writes allowed per window (default 30). */
  readonly max?: number;
  /** Window length in ms (default 60,000). */
  readonly windowMs?: number;
  /** Callers tracked at once (default 1024). */
  readonly maxKeys?: number;
  /** Clock in ms (default `Date.now`). */
  readonly now?: () => number;
}

/** Counts attempts per key; `take` says whether one more is allowed now. */
export class WriteLimiter {
  readonly #hits = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(opts: WriteLimiterOptions = {}) {
    this.#max = opts.max ?? 30;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#maxKeys = opts.maxKeys ?? 1024;
    this.#now = opts.now ?? Date.now;
  }

  /** Records an attempt for `key`: allowed, or refused with the wait until one frees up. */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.#now();
    const hits = (this.#hits.get(key) ?? []).filter((t) => now - t < this.#windowMs);
    this.#hits.delete(key);
    if (hits.length >= this.#max) {
      this.#hits.set(key, hits);
      const oldest = hits[0] ?? now;
      return { ok: false, retryAfterMs: Math.max(1, oldest + this.#windowMs - now) };
    }
    hits.push(now);
    this.#hits.set(key, hits);
    if (this.#hits.size > this.#maxKeys) {
      const first = this.#hits.keys().next().value;
      if (first !== undefined) this.#hits.delete(first);
    }
    return { ok: true };
  }
}
