import type { ChannelAdapter } from "./types.js";

/** Sends in flight per channel account when its limits do not say. */
export const DEFAULT_MAX_CONCURRENT_SENDS = 2;

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
