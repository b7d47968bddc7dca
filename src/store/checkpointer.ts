import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";

/**
 * WAL checkpoints off the event loop. `node:sqlite` is synchronous, so SQLite's automatic
 * checkpoint (run inside the COMMIT that takes the WAL past 1000 pages) copies those pages into
 * the database and fsyncs both files on the gateway's only thread: measured on the soak's write
 * pattern, 6 ms typical, 12 ms at p90 and 50-60 ms at p99, about twice a second under load.
 *
 * Here a worker thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs`. PASSIVE never takes the write lock and never waits, so it cannot make the main
 * connection busy; it copies what it can and fsyncs, off the event loop. SQLite's own
 * auto-checkpoint stays on in the main connection (at a higher threshold) as the fallback and to
 * reset the WAL: by the time it runs, nearly every frame is already copied and synced, and a
 * checkpoint with nothing left to copy does no fsync.
 *
 * The worker costs about 12 MiB of RSS (its own V8 isolate), so it starts only once the WAL has
 * grown past {@link CHECKPOINTER_START_BYTES}, i.e. once the process writes enough for
 * checkpoints to matter; a gateway that is mostly idle and a short CLI command never start it.
 */

/** WAL size (bytes) at which the worker starts: half of SQLite's default auto-checkpoint. */
export const CHECKPOINTER_START_BYTES = 2 * 1024 * 1024;

/** Options of {@link startWalCheckpointer}. */
export interface WalCheckpointerOptions {
  /** The database file (its WAL is `<file>-wal`). */
  readonly file: string;
  /** How often the worker checkpoints, ms; default 100 (a few hundred pages under load). */
  readonly intervalMs?: number;
  /** How often the WAL's size is checked until the worker starts, ms; default 1000. */
  readonly probeMs?: number;
  /** Called once when the worker has started (the store raises its auto-checkpoint then). */
  readonly onStart?: () => void;
}

/** What the checkpointer did so far. */
export interface WalCheckpointStats {
  /** Whether the worker was started (the WAL grew past the start size). */
  readonly started: boolean;
  /** Checkpoints the worker ran. */
  readonly runs: number;
  /** Runs that found another checkpoint in progress (the main connection's). */
  readonly busy: number;
  /** Frames the worker copied into the database. */
  readonly framesCopied: number;
  /** Runs that failed; after a failure of the worker itself, SQLite's inline checkpoints remain. */
  readonly failed: number;
}

/** A running checkpointer. */
export interface WalCheckpointer {
  stats(): WalCheckpointStats;
  /** Stops the probe and the worker (the worker closes its connection); idempotent. */
  close(): void;
}

// Slots of the shared counters the worker writes and `stats()` reads without a message.
const RUNS = 0;
const BUSY = 1;
const COPIED = 2;
const FAILED = 3;

// Plain CommonJS evaluated in the worker: the gateway is bundled into chunks, so a worker file
// of its own would need a separate entry point; this is small enough to carry as text.
const WORKER_SOURCE = `
const { DatabaseSync } = require("node:sqlite");
const { parentPort, workerData } = require("node:worker_threads");
const counters = new Float64Array(workerData.counters);
const db = new DatabaseSync(workerData.file, { timeout: 0 });
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
let copiedTo = 0;
const timer = setInterval(() => {
  try {
    const r = checkpoint.get();
    counters[${RUNS}]++;
    if (r.busy) counters[${BUSY}]++;
    if (r.checkpointed < copiedTo) copiedTo = 0;
    counters[${COPIED}] += Math.max(0, r.checkpointed - copiedTo);
    copiedTo = r.checkpointed;
  } catch {
    counters[${FAILED}]++;
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Probes the WAL's size and starts the worker once it is past the start size. */
export function startWalCheckpointer(opts: WalCheckpointerOptions): WalCheckpointer {
  const counters = new Float64Array(new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT));
  let worker: Worker | undefined;
  let closed = false;
  const start = (): void => {
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: opts.file, intervalMs: opts.intervalMs ?? 100, counters: counters.buffer },
      // Its heap holds one connection and a timer; small limits keep the isolate small.
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
    });
    // A worker that cannot open the file or dies leaves SQLite's inline checkpoints in charge.
    w.on("error", () => {
      counters[FAILED] = (counters[FAILED] ?? 0) + 1;
    });
    w.unref();
    worker = w;
    opts.onStart?.();
  };
  const probe = setInterval(() => {
    let size = 0;
    try {
      size = statSync(`${opts.file}-wal`).size;
    } catch {
      return;
    }
    if (size < CHECKPOINTER_START_BYTES) return;
    clearInterval(probe);
    if (!closed) start();
  }, opts.probeMs ?? 1000);
  probe.unref();
  return {
    stats: () => ({
      started: worker !== undefined,
      runs: counters[RUNS] ?? 0,
      busy: counters[BUSY] ?? 0,
      framesCopied: counters[COPIED] ?? 0,
      failed: counters[FAILED] ?? 0,
    }),
    close() {
      if (closed) return;
      closed = true;
      clearInterval(probe);
      worker?.postMessage("stop");
    },
  };
}
