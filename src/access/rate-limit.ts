/** A token bucket's shape: refill rate and size. */
export interface BucketSpec {
  /** Tokens added per minute. */
  readonly perMinute: number;
  /** Bucket size (messages at once). */
  readonly burst: number;
}

/** Default bucket per sender and channel: 20 messages a minute, 5 at once. */
export const DEFAULT_BUCKET: BucketSpec = { perMinute: 20, burst: 5 };
/** Default bucket for senders with role `limited`. */
export const DEFAULT_LIMITED_BUCKET: BucketSpec = { perMinute: 5, burst: 2 };
/** Most senders tracked at once; the least recently seen are forgotten first (a full bucket). */
export const MAX_TRACKED_SENDERS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
  /** The sender was refused since the last accepted message (one notice per episode). */
  limited: boolean;
}

/** What {@link RateLimiter.take} decided. */
export type RateDecision =
  | { readonly ok: true }
  | {
      readonly ok: false /** First refusal of this episode: send the one notice. */;
      readonly first: boolean;
    };

/**
 * Token buckets per key (sender and channel), in memory: limits reset with the process, which is
 * fine for a flood guard. The clock is injected.
 */
export class RateLimiter {
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Takes one token for `key`; refused when the bucket is empty. */
  take(key: string, spec: BucketSpec): RateDecision {
    const now = this.#now();
    let b = this.#buckets.get(key);
    if (b === undefined) {
      b = { tokens: spec.burst, at: now, limited: false };
      if (this.#buckets.size >= MAX_TRACKED_SENDERS) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    } else this.#buckets.delete(key);
    this.#buckets.set(key, b);
    const elapsed = Math.max(0, now - b.at);
    b.tokens = Math.min(spec.burst, b.tokens + (elapsed * spec.perMinute) / 60_000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.limited = false;
      return { ok: true };
    }
    const first = !b.limited;
    b.limited = true;
    return { ok: false, first };
  }
}
