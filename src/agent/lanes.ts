import { fail, type PalisadeError } from "../core/errors.js";

/** Options of {@link LaneScheduler}; every limit is bounded. */
export interface LaneSchedulerOptions {
  /** Runs at the same time across all sessions. Default 4. */
  readonly maxConcurrent?: number;
  /** Runs waiting per session, the running one excluded. Default 10. */
  readonly maxQueuedPerSession?: number;
  /** Runs waiting across all sessions. Default 1000. */
  readonly maxQueuedTotal?: number;
  /**
   * Retry hint (ms) sent with a refusal, so clients back off instead of hammering a full
   * queue. Default 2000.
   */
  readonly retryAfterMs?: number;
}

/** How loaded the lanes are: what readiness and `status` report. */
export interface LaneLoad {
  readonly active: number;
  readonly queued: number;
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  /** The overall queue is at its bound: new work for busy lanes is refused. */
  readonly full: boolean;
}

/** A run handed to a lane; its signal aborts when the lane is stopped. */
export type LaneTask<T> = (signal: AbortSignal) => Promise<T>;

interface Job {
  readonly task: LaneTask<unknown>;
  readonly ctrl: AbortController;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Lane {
  running: Job | undefined;
  readonly queue: Job[];
}

/**
 * Per-session lanes: one run at a time per session key, FIFO within a key, at most
 * `maxConcurrent` runs overall (sessions get free slots in the order they became ready), and
 * bounded queues that refuse with `PAL_AGENT_QUEUE_FULL` instead of growing.
 */
export class LaneScheduler {
  #maxConcurrent: number;
  readonly #maxPerSession: number;
  readonly #maxTotal: number;
  readonly #retryAfterMs: number;
  readonly #lanes = new Map<string, Lane>();
  readonly #ready: string[] = [];
  #active = 0;
  #queued = 0;

  constructor(opts: LaneSchedulerOptions = {}) {
    this.#maxConcurrent = Math.max(1, opts.maxConcurrent ?? 4);
    this.#maxPerSession = Math.max(0, opts.maxQueuedPerSession ?? 10);
    this.#maxTotal = Math.max(0, opts.maxQueuedTotal ?? 1000);
    this.#retryAfterMs = Math.max(1, opts.retryAfterMs ?? 2000);
  }

  /** Queues `task` on the session's lane; resolves with its result. Refuses when a queue is full. */
  run<T>(sessionKey: string, task: LaneTask<T>): Promise<T> {
    const refused = this.refusal(sessionKey);
    if (refused !== undefined) return Promise.reject(refused);
    const lane = this.#lanes.get(sessionKey) ?? { running: undefined, queue: [] };
    this.#lanes.set(sessionKey, lane);
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        task,
        ctrl: new AbortController(),
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      lane.queue.push(job);
      this.#queued++;
      if (lane.running === undefined && lane.queue.length === 1) this.#ready.push(sessionKey);
      this.#pump();
    });
  }

  /**
   * Stops a session: aborts its running task and, with `dropQueued`, rejects its waiting ones.
   * Returns whether anything was running.
   */
  stop(sessionKey: string, opts: { dropQueued?: boolean } = {}): boolean {
    const lane = this.#lanes.get(sessionKey);
    if (lane === undefined) return false;
    if (opts.dropQueued === true) {
      for (const job of lane.queue.splice(0)) {
        this.#queued--;
        job.reject(fail("PAL_AGENT_ABORTED", { reason: "the session was stopped" }));
      }
      this.#cleanup(sessionKey, lane);
    }
    if (lane.running === undefined) return false;
    lane.running.ctrl.abort(fail("PAL_AGENT_ABORTED", { reason: "the session was stopped" }));
    return true;
  }

  /**
   * Changes the overall cap (hot reload of `agents.defaults.maxConcurrent`). Runs in progress
   * finish; a raised cap starts waiting runs at once, a lowered one takes effect as runs end.
   */
  setMaxConcurrent(n: number): void {
    this.#maxConcurrent = Math.max(1, Math.trunc(n));
    this.#pump();
  }

  /** Whether {@link run} would queue a task for `sessionKey` now instead of refusing it. */
  canAccept(sessionKey: string): boolean {
    return this.refusal(sessionKey) === undefined;
  }

  /**
   * The PAL_AGENT_QUEUE_FULL error (retryable, with a retry hint) that {@link run} would
   * refuse `sessionKey`'s next task with now, or undefined when it would be queued.
   */
  refusal(sessionKey: string): PalisadeError | undefined {
    const lane = this.#lanes.get(sessionKey);
    const busy = lane?.running !== undefined || this.#active >= this.#maxConcurrent;
    if (!busy) return undefined;
    const retryAfterMs = this.#retryAfterMs;
    if ((lane?.queue.length ?? 0) >= this.#maxPerSession) {
      return fail(
        "PAL_AGENT_QUEUE_FULL",
        { scope: `session ${sessionKey}`, limit: this.#maxPerSession },
        { retryAfterMs },
      );
    }
    if (this.#queued >= this.#maxTotal) {
      return fail("PAL_AGENT_QUEUE_FULL", { scope: "the gateway", limit: this.#maxTotal }, { retryAfterMs });
    }
    return undefined;
  }

  /** Runs and queue against their bounds (readiness, `status`). */
  load(): LaneLoad {
    return {
      active: this.#active,
      queued: this.#queued,
      maxConcurrent: this.#maxConcurrent,
      maxQueued: this.#maxTotal,
      full: this.#queued >= this.#maxTotal,
    };
  }

  /** Whether a session has a run in progress and how many wait behind it. */
  status(sessionKey: string): { running: boolean; queued: number } {
    const lane = this.#lanes.get(sessionKey);
    return { running: lane?.running !== undefined, queued: lane?.queue.length ?? 0 };
  }

  /** Runs in progress and waiting, across all sessions. */
  stats(): { active: number; queued: number; sessions: number } {
    return { active: this.#active, queued: this.#queued, sessions: this.#lanes.size };
  }

  #pump(): void {
    while (this.#active < this.#maxConcurrent && this.#ready.length > 0) {
      const key = this.#ready.shift() as string;
      const lane = this.#lanes.get(key);
      const job = lane?.queue.shift();
      if (lane === undefined || job === undefined) continue;
      this.#queued--;
      lane.running = job;
      this.#active++;
      let p: Promise<unknown>;
      try {
        p = Promise.resolve(job.task(job.ctrl.signal));
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then(job.resolve, job.reject).finally(() => {
        this.#active--;
        lane.running = undefined;
        if (lane.queue.length > 0) this.#ready.push(key);
        else this.#cleanup(key, lane);
        this.#pump();
      });
    }
  }

  #cleanup(key: string, lane: Lane): void {
    if (lane.running === undefined && lane.queue.length === 0) {
      this.#lanes.delete(key);
      const i = this.#ready.indexOf(key);
      if (i >= 0) this.#ready.splice(i, 1);
    }
  }
}
