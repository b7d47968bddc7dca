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
  /** V8 heap in use at the window's end, MiB (live objects plus garbage not yet collected). */
  readonly heapUsedMiB: number;
  /** V8 heap reserved at the window's end, MiB: the part of RSS the JavaScript heap takes. */
  readonly heapTotalMiB: number;
  /**
   * The longest stall in the window (a timer at the sampling resolution fired this much late)
   * and how much of that very stretch GC pauses took: `gcMs` close to `ms` means the block was
   * the collector (several scavenges inside one long allocating stretch add up), a small `gcMs`
   * means our own synchronous code. `gcKind` is the kind of the longest pause inside it.
   * `cpuMs` is the CPU time the main thread used in that stretch: much less than `ms` means the
   * thread was off the CPU (waiting for a core on a busy machine, or blocked in a system call
   * such as an fsync), not running code.
   */
  readonly longest: {
    readonly ms: number;
    readonly gcMs: number;
    readonly gcKind: string | null;
    readonly cpuMs: number;
  };
}

/** A window waiting one more window for the GC pauses of its longest stall to be observed. */
interface PendingWindow extends Omit<LoopWindow, "longest"> {
  readonly stall: Stall;
}

/** A stretch between two ticks of the stall timer, performance.now() ms. */
interface Stall {
  readonly from: number;
  readonly to: number;
  readonly ms: number;
  /** Main-thread CPU time in the stretch, ms. */
  readonly cpuMs: number;
}

/** A GC pause as observed, performance.now() ms. */
interface Pause {
  readonly from: number;
  readonly to: number;
  readonly kind: string;
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
const NO_STALL: Stall = { from: 0, to: 0, ms: 0, cpuMs: 0 };

/** The V8 heap in use and reserved, MiB. */
function heapMiB(): { heapUsedMiB: number; heapTotalMiB: number } {
  const h = getHeapStatistics();
  return {
    heapUsedMiB: round2(h.used_heap_size / 1048576),
    heapTotalMiB: round2(h.total_heap_size / 1048576),
  };
}

/** CPU time of this thread (user + system), ms. */
function threadCpuMs(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
}
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
 * carries the GC pauses that ended in it (a `gc` PerformanceObserver), the heap in use, and its
 * longest stall with the GC time inside that stall, so a long block can be told apart: a
 * collection, or our own synchronous code. A window is published one window late, once the GC
 * pauses of its last moments have been observed. Costs two timers (the window and a stall
 * timer at the sampling resolution) and one observer callback per collection.
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
  readonly #ticker: ReturnType<typeof setInterval>;
  /** Recent GC pauses, oldest first, kept for two windows. */
  #pauses: Pause[] = [];
  #lastTick = performance.now();
  #lastCpu = threadCpuMs();
  #stall: Stall = NO_STALL;
  #pending: PendingWindow | undefined;
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
        this.#pauses.push({ from: e.startTime, to: e.startTime + e.duration, kind });
      }
    });
    this.#gcObserver.observe({ entryTypes: ["gc"] });
    this.#ticker = setInterval(() => this.#tick(), this.#resolutionMs);
    this.#ticker.unref();
    this.#timer = setInterval(() => this.#roll(), this.#windowMs);
    this.#timer.unref();
  }

  #tick(): void {
    const now = performance.now();
    const cpu = threadCpuMs();
    const late = now - this.#lastTick - this.#resolutionMs;
    if (late > this.#stall.ms) {
      this.#stall = { from: this.#lastTick, to: now, ms: late, cpuMs: cpu - this.#lastCpu };
    }
    this.#lastTick = now;
    this.#lastCpu = cpu;
  }

  #roll(): void {
    const h = this.#window;
    this.#publish();
    this.#pending = {
      seq: ++this.#seq,
      endedAt: Date.now(),
      p50: ms(h.percentile(50)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
      mean: ms(h.mean),
      gc: this.#gcWindow.take(),
      ...heapMiB(),
      stall: this.#stall,
    };
    this.#stall = NO_STALL;
    h.reset();
  }

  /** Publishes the previous window with the GC time inside its longest stall. */
  #publish(): void {
    const p = this.#pending;
    if (p === undefined) return;
    const { stall, ...fields } = p;
    let gcMs = 0;
    let longestPause = 0;
    let gcKind: string | null = null;
    for (const g of this.#pauses) {
      const inside = Math.min(g.to, stall.to) - Math.max(g.from, stall.from);
      if (inside <= 0) continue;
      gcMs += inside;
      if (inside > longestPause) {
        longestPause = inside;
        gcKind = g.kind;
      }
    }
    // The stretch between two ticks is the stall plus one resolution of normal waiting, so a
    // pause can overlap it by a little more than the stall itself: capped at the stall.
    this.#windows.push({
      ...fields,
      longest: {
        ms: round2(stall.ms),
        gcMs: round2(Math.min(gcMs, stall.ms)),
        gcKind,
        cpuMs: round2(Math.min(stall.cpuMs, stall.ms + this.#resolutionMs)),
      },
    });
    if (this.#windows.length > this.#keep) this.#windows.shift();
    const keepFrom = performance.now() - 2 * this.#windowMs;
    this.#pauses = this.#pauses.filter((g) => g.to >= keepFrom);
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
    clearInterval(this.#ticker);
    this.#gcObserver.disconnect();
    this.#total.disable();
    this.#window.disable();
  }
}
