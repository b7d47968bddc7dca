/**
 * Failed-auth rate limit per client address with lockout. The map is bounded: when full, the
 * oldest entry goes, so an attacker rotating addresses costs memory only up to the cap.
 */
import { isLoopbackHost } from "./address.js";

/** Limiter settings (`gateway.auth.rateLimit` with defaults applied). */
export interface RateLimitOptions {
  /** Failures allowed per window before lockout (default 10). */
  readonly maxAttempts: number;
  /** Window over which failures count, ms (default 60 s). */
  readonly windowMs: number;
  /** Lockout length, ms (default 5 min). */
  readonly lockoutMs: number;
  /** Exempt loopback addresses (default false: loopback is not trusted blindly). */
  readonly exemptLoopback: boolean;
  /** Max tracked addresses (default 10,000). */
  readonly maxEntries?: number;
  /** Injected clock. */
  readonly now: () => number;
}

interface Entry {
  windowStart: number;
  failures: number;
  lockedUntil: number;
}

/** Result of a check: allowed, or locked with the wait in ms. */
export type RateLimitState =
  | { readonly locked: false }
  | { readonly locked: true; readonly retryAfterMs: number };

/** Counts failed auth per address and locks an address out after too many. */
export class AuthRateLimiter {
  readonly #opts: RateLimitOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(opts: RateLimitOptions) {
    this.#opts = opts;
    this.#max = opts.maxEntries ?? 10_000;
  }

  /** Number of tracked addresses (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }

  #exempt(addr: string): boolean {
    return this.#opts.exemptLoopback && isLoopbackHost(addr);
  }

  /** Whether `addr` is locked out right now. */
  check(addr: string): RateLimitState {
    if (this.#exempt(addr)) return { locked: false };
    const e = this.#entries.get(addr);
    const now = this.#opts.now();
    if (e === undefined || e.lockedUntil <= now) return { locked: false };
    return { locked: true, retryAfterMs: e.lockedUntil - now };
  }

  /** Records one failed attempt; returns the state after it. */
  fail(addr: string): RateLimitState {
    if (this.#exempt(addr)) return { locked: false };
    const now = this.#opts.now();
    let e = this.#entries.get(addr);
    if (e === undefined || (e.lockedUntil <= now && now - e.windowStart >= this.#opts.windowMs)) {
      e = { windowStart: now, failures: 0, lockedUntil: 0 };
    }
    this.#entries.delete(addr);
    this.#entries.set(addr, e);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    e.failures += 1;
    if (e.failures >= this.#opts.maxAttempts) {
      e.lockedUntil = now + this.#opts.lockoutMs;
      e.failures = 0;
      e.windowStart = e.lockedUntil;
      return { locked: true, retryAfterMs: this.#opts.lockoutMs };
    }
    return { locked: false };
  }

  /** Clears the record of `addr` after a successful auth. */
  succeed(addr: string): void {
    this.#entries.delete(addr);
  }
}
