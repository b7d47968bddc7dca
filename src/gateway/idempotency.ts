/**
 * Replay cache for side-effecting methods: a repeat of the same method and `idempotencyKey`
 * within the TTL gets the first result (waiting for it if still running); the same key with other
 * params is refused. Bounded: the oldest entry is evicted beyond `maxEntries`.
 */
import { createHash } from "node:crypto";
import { fail } from "../core/errors.js";

/** Cache settings. */
export interface IdempotencyOptions {
  /** How long a result is replayed, ms (default 5 min). */
  readonly ttlMs?: number;
  /** Max remembered keys (default 1000). */
  readonly maxEntries?: number;
  readonly now: () => number;
}

interface Entry {
  readonly fingerprint: string;
  readonly expiresAt: number;
  readonly result: Promise<unknown>;
}

/** JSON with sorted keys, so equal params hash equally whatever their key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    const obj = value as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The replay cache. */
export class IdempotencyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttl: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: IdempotencyOptions) {
    this.#ttl = opts.ttlMs ?? 5 * 60_000;
    this.#max = opts.maxEntries ?? 1000;
    this.#now = opts.now;
  }

  /** Number of remembered keys. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Runs `run` once per (method, key) within the TTL. Failures are forgotten so a retry can
   * succeed; successes are replayed.
   */
  execute(method: string, key: string, params: unknown, run: () => Promise<unknown>): Promise<unknown> {
    const id = `${method}\u0000${key}`;
    const fingerprint = createHash("sha256").update(stableStringify(params)).digest("hex");
    const now = this.#now();
    const existing = this.#entries.get(id);
    if (existing !== undefined && existing.expiresAt > now) {
      if (existing.fingerprint !== fingerprint) throw fail("PAL_PROTO_IDEMPOTENCY_REUSED", { key });
      return existing.result;
    }
    if (existing !== undefined) this.#entries.delete(id);
    const result = run();
    this.#entries.set(id, { fingerprint, expiresAt: now + this.#ttl, result });
    result.catch(() => {
      if (this.#entries.get(id)?.result === result) this.#entries.delete(id);
    });
    this.#prune(now);
    return result;
  }

  #prune(now: number): void {
    for (const [id, e] of this.#entries) {
      if (this.#entries.size <= this.#max && e.expiresAt > now) break;
      this.#entries.delete(id);
    }
  }
}
