import type { ChannelAdapter } from "./types.js";

/**
 * Sends in flight per channel account when its config does not say. One: a crash can then leave
 * at most one reply per account whose fate is unknown. The crash test (200 messages, 4-10
 * SIGKILLs) measured 1-3 duplicates per run with 2 and 0-2 with 1, at no measurable throughput
 * cost against the emulator; with Telegram's ~100 ms round trip one still allows ~10 replies a
 * second per bot, a third of Telegram's own limit of 30.
 */
export const DEFAULT_MAX_CONCURRENT_SENDS = 1;

/**
 * A counting semaphore. Each held slot is one send whose outcome is not yet recorded in the
 * outbox: a crash can duplicate at most that many replies, so the cap bounds the damage of a
 * crash as well as the request rate toward the platform.
 */
export class SendGate {
  readonly #max: number;
  readonly #waiting: Array<() => void> = [];
  #held = 0;

  constructor(max: number) {
    this.#max = Math.max(1, Math.trunc(max));
  }

  /** Resolves once a slot is held; call the returned function exactly once to give it back. */
  async acquire(): Promise<() => void> {
    if (this.#held < this.#max) this.#held++;
    else await new Promise<void>((r) => this.#waiting.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#held--;
    };
  }
}

const gates = new WeakMap<ChannelAdapter, SendGate>();

/** The send gate of one adapter instance (a restarted account gets a fresh one). */
export function sendGateOf(adapter: ChannelAdapter): SendGate {
  let g = gates.get(adapter);
  if (g === undefined) {
    g = new SendGate(adapter.limits.maxConcurrentSends ?? DEFAULT_MAX_CONCURRENT_SENDS);
    gates.set(adapter, g);
  }
  return g;
}
