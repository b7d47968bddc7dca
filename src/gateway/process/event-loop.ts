import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;

/** Garbage-collection pauses in one window (or since start), ms. */
export interface GcPauses {
  /** Collections that ended in the window. */
  readonly count: number;
  /** Sum of their main-thread pauses. */
  readonly totalMs: number;
  /** Longest single pause: compare with the window's `max` delay to see whether GC was the block. */
  readonly maxMs: number;
  /** Kind of the longest pause: "minor" (scavenge), "major" (mark-compact), "incremental", "weak". */
  readonly maxKind: string | null;
}

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
  /** GC pauses in the window: a `max` close to `gc.maxMs` was a collection, not our code. */
  readonly gc: GcPauses;
  /** V8 heap in use at the window's end, MiB. */
  readonly heapUsedMiB: number;
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
const round2 = (x: number) => Math.round(x * 100) / 100;

const GC_KINDS: ReadonlyMap<number, string> = new Map([
  [constants.NODE_PERFORMANCE_GC_MINOR, "minor"],
  [constants.NODE_PERFORMANCE_GC_MAJOR, "major"],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, "incremental"],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, "weak"],
]);

/** Running GC pause totals; `take()` returns them and starts over. */
class GcTally {
  #count = 0;
  #totalMs = 0;
  #maxMs = 0;
  #maxKind: string | null = null;

  add(durationMs: number, kind: string): void {
    this.#count++;
    this.#totalMs += durationMs;
    if (durationMs > this.#maxMs) {
      this.#maxMs = durationMs;
      this.#maxKind = kind;
    }
  }

  peek(): GcPauses {
    return {
      count: this.#count,
      totalMs: round2(this.#totalMs),
      maxMs: round2(this.#maxMs),
      maxKind: this.#maxKind,
    };
  }

  take(): GcPauses {
    const p = this.peek();
    this.#count = 0;
    this.#totalMs = 0;
    this.#maxMs = 0;
    this.#maxKind = null;
    return p;
  }
}

/**
 * Event-loop delay with `perf_hooks.monitorEventLoopDelay`: a histogram since start and one per
 * window (default 1 s), the last `keep` windows kept, so a soak or an operator sees both the
 * worst stall ever and what the loop did in a given stretch of load. A delay over the window is
 * synchronous work that blocked every connection and channel for that long. Each window also
 * carries the GC pauses that ended in it (a `gc` PerformanceObserver) and the heap in use, so a
 * long block can be told apart: a collection, or our own synchronous code. Costs one timer and
 * one observer callback per collection.
 */
export class EventLoopMonitor {
  readonly #total: IntervalHistogram;
  readonly #window: IntervalHistogram;
  readonly #windows: LoopWindow[] = [];
  readonly #keep: number;
  readonly #resolutionMs: number;
  readonly #windowMs: number;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #gcObserver: PerformanceObserver;
  readonly #gcWindow = new GcTally();
  readonly #gcTotal = new GcTally();
  #seq = 0;

  constructor(opts: EventLoopMonitorOptions = {}) {
    this.#resolutionMs = Math.max(1, opts.resolutionMs ?? 10);
    this.#windowMs = Math.max(100, opts.windowMs ?? 1000);
    this.#keep = Math.max(1, opts.keep ?? 120);
    this.#total = monitorEventLoopDelay({ resolution: this.#resolutionMs });
    this.#window = monitorEventLoopDelay({ resolution: this.#resolutionMs });
    this.#total.enable();
    this.#window.enable();
    this.#gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const detail = (e as { detail?: { kind?: number } }).detail;
        const kind = GC_KINDS.get(detail?.kind ?? 0) ?? "other";
        this.#gcWindow.add(e.duration, kind);
        this.#gcTotal.add(e.duration, kind);
      }
    });
    this.#gcObserver.observe({ entryTypes: ["gc"] });
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
      gc: this.#gcWindow.take(),
      heapUsedMiB: round2(getHeapStatistics().used_heap_size / 1048576),
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
      sinceStart: {
        p50: ms(t.percentile(50)),
        p99: ms(t.percentile(99)),
        max: ms(t.max),
        mean: ms(t.mean),
        gc: this.#gcTotal.peek(),
      },
      windows: [...this.#windows],
    };
  }

  /** Stops sampling. */
  close(): void {
    clearInterval(this.#timer);
    this.#gcObserver.disconnect();
    this.#total.disable();
    this.#window.disable();
  }
}
