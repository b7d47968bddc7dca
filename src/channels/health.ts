import type { ChannelHealth } from "./types.js";

/** Longest error text kept in health, characters. */
const MAX_ERROR_CHARS = 300;

/**
 * Health bookkeeping shared by adapters. It only records what happened (a poll succeeded, a
 * call failed, a reconnect began), so `connected` is never claimed without a recent success.
 * Error texts go through `redact` first: they end up in RPC answers and the CLI.
 */
export class HealthTracker {
  readonly #base: { channel: string; accountId: string; mode: string };
  readonly #now: () => number;
  readonly #redact: (text: string) => string;
  #running = false;
  #connected = false;
  #lastSuccessAt: number | null = null;
  #lastInboundAt: number | null = null;
  #lastOutboundAt: number | null = null;
  #lastError: string | null = null;
  #lastErrorAt: number | null = null;
  #reconnects = 0;
  #identity: ChannelHealth["identity"];

  constructor(
    base: { channel: string; accountId: string; mode: string },
    opts: { now?: () => number; redact?: (text: string) => string } = {},
  ) {
    this.#base = base;
    this.#now = opts.now ?? Date.now;
    this.#redact = opts.redact ?? ((t) => t);
  }

  /** Marks the adapter started or stopped (stopped is never connected). */
  running(on: boolean): void {
    this.#running = on;
    if (!on) this.#connected = false;
  }

  /** A platform call (poll, getMe, webhook delivery) succeeded. */
  success(): void {
    this.#connected = this.#running;
    this.#lastSuccessAt = this.#now();
  }

  /** Inbound messages arrived. */
  inbound(): void {
    this.#lastInboundAt = this.#now();
  }

  /** A message was accepted by the platform. */
  outbound(): void {
    this.#lastOutboundAt = this.#now();
  }

  /** A call failed; `disconnected` when reading stopped working (not for one failed send). */
  error(err: unknown, disconnected: boolean): void {
    const text = err instanceof Error ? err.message : String(err);
    this.#lastError = this.#redact(text).slice(0, MAX_ERROR_CHARS);
    this.#lastErrorAt = this.#now();
    if (disconnected) this.#connected = false;
  }

  /** A reconnect attempt begins. */
  reconnecting(): void {
    this.#reconnects++;
  }

  /** The bot's platform identity, once known. */
  identify(identity: NonNullable<ChannelHealth["identity"]>): void {
    this.#identity = identity;
  }

  /** A snapshot. */
  snapshot(): ChannelHealth {
    return {
      ...this.#base,
      running: this.#running,
      connected: this.#running && this.#connected,
      lastSuccessAt: this.#lastSuccessAt,
      lastInboundAt: this.#lastInboundAt,
      lastOutboundAt: this.#lastOutboundAt,
      lastError: this.#lastError,
      lastErrorAt: this.#lastErrorAt,
      reconnects: this.#reconnects,
      ...(this.#identity === undefined ? {} : { identity: this.#identity }),
    };
  }
}
