import { monitorEventLoopDelay } from "node:perf_hooks";

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;

/** Event-loop delay of one window, ms. */
export interface LoopWindow {
  /** Increasing window number, so a reader sampling `status` can skip windows it already has. */
  readonly seq: number;
  /** When the window ended (epoch ms). */
  readonly endedAt: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Options of {@link EventLoopMonitor}. */
export interface EventLoopMonitorOptions {
  /** Sampling resolution of `monitorEventLoopDelay`, ms. Default 10. */
  readonly resolutionMs?: number;
  /** Length of one window, ms. Default 1000. */
  readonly windowMs?: number;
  /** Windows kept for `status`. Default 120 (two minutes at the default window). */
  readonly keep?: number;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

/**
 * Event-loop delay with `perf_hooks.monitorEventLoopDelay`: a histogram since start and one per
 * window (default 1 s), the last `keep` windows kept, so a soak or an operator sees both the
 * worst stall ever and what the loop did in a given stretch of load. A delay over the window is
 * synchronous work that blocked every connection and channel for that long. Costs one timer.
 */
export class EventLoopMonitor {
  readonly #total: IntervalHistogram;
  readonly #window: IntervalHistogram;
  readonly #windows: LoopWindow[] = [];
  readonly #keep: number;
  readonly #resolutionMs: number;
  readonly #windowMs: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #seq = 0;

  constructor(opts: EventLoopMonitorOptions = {}) {
    this.#resolutionMs = Math.max(1, opts.resolutionMs ?? 10);
    this.#windowMs = Math.max(100, opts.windowMs ?? 1000);
    this.#keep = Math.max(1, opts.keep ?? 120);
    this.#total = monitorEventLoopDelay({ resolution: this.#resolutionMs });
    this.#window = monitorEventLoopDelay({ resolution: this.#resolutionMs });
    this.#total.enable();
    this.#window.enable();
    this.#timer = setInterval(() => this.#roll(), this.#windowMs);
    this.#timer.unref();
  }

  #roll(): void {
    const h = this.#window;
    this.#windows.push({
      seq: ++this.#seq,
      endedAt: Date.now(),
      p50: ms(h.percentile(50)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
      mean: ms(h.mean),
    });
    if (this.#windows.length > this.#keep) this.#windows.shift();
    h.reset();
  }

  /**
   * What `status` shows: delays since start and the kept windows, in ms. The delay includes the
   * sampling resolution, so an idle loop reads about `resolutionMs`.
   */
  snapshot(): Record<string, unknown> {
    const t = this.#total;
    return {
      resolutionMs: this.#resolutionMs,
      windowMs: this.#windowMs,
      sinceStart: { p50: ms(t.percentile(50)), p99: ms(t.percentile(99)), max: ms(t.max), mean: ms(t.mean) },
      windows: [...this.#windows],
    };
  }

  /** Stops sampling. */
  close(): void {
    clearInterval(this.#timer);
    this.#total.disable();
    this.#window.disable();
  }
}
