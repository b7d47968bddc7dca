/**
 * Gives the memory start-up used back once the gateway is idle.
 *
 * Start-up (module evaluation, schema construction, config parsing, migrations) allocates fast
 * enough that V8 grows the young generation to its largest size (about 8 MiB of semi-space
 * here). With only scavenges so far, nothing shrinks it again: V8's memory reducer starts only
 * after a full GC, and an idle gateway does none. One memory-reducing full GC, the kind V8 runs
 * itself under memory pressure, returns that space (about 9 MiB of RSS) and compacts the old
 * generation. It runs once, after the deferred start-up work, when no agent run is active; a
 * busy gateway keeps the memory it uses.
 */

/** Options of {@link releaseStartupMemory}. */
export interface StartupMemoryOptions {
  /** True while nothing is running (no agent runs in flight). */
  readonly idle: () => boolean;
  /** Wait before the first try, ms. Default 1000. */
  readonly delayMs?: number;
  /** Tries while busy before giving up, each `delayMs` apart. Default 10. */
  readonly tries?: number;
  /** The collector; default V8's (see {@link v8Collector}). Tests inject one. */
  readonly collect?: () => void;
}

type GcFunction = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

/**
 * V8's `gc()` without exposing it to the whole process: the flag is set just long enough to
 * create one context that has it (the way Jest's `--logHeapUsage` gets it), then cleared.
 */
export function v8Collector(): () => void {
  let gc = (globalThis as { gc?: GcFunction }).gc;
  if (typeof gc !== "function") {
    const v8 = process.getBuiltinModule("node:v8");
    const vm = process.getBuiltinModule("node:vm");
    v8.setFlagsFromString("--expose-gc");
    try {
      gc = vm.runInNewContext("gc") as GcFunction;
    } finally {
      v8.setFlagsFromString("--no-expose-gc");
    }
  }
  const fn = gc;
  // "last-resort" is V8's memory-reducing full GC: it also shrinks the young generation.
  return () => fn({ type: "major", execution: "sync", flavor: "last-resort" });
}

/**
 * Schedules the one memory-reducing GC after start-up (timers are unref'd: they never keep the
 * process alive). Returns a function that cancels it (gateway stop).
 */
export function releaseStartupMemory(opts: StartupMemoryOptions): () => void {
  const delayMs = opts.delayMs ?? 1000;
  let left = opts.tries ?? 10;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = () => {
    if (!opts.idle()) {
      if (--left > 0) schedule();
      return;
    }
    try {
      (opts.collect ?? v8Collector())();
    } catch {
      // Only memory is at stake: the gateway works the same without this GC.
    }
  };
  const schedule = () => {
    timer = setTimeout(attempt, delayMs);
    timer.unref();
  };
  schedule();
  return () => clearTimeout(timer);
}
