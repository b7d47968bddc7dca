import type { Usage } from "../providers/index.js";

/** Where a run is: waiting in its lane, running, or ended (OpenClaw's agent.wait statuses for ends). */
export type RunStatus = "queued" | "running" | "ok" | "error" | "aborted" | "timeout";

/** How a run ended, for `agent.wait` and the CLI. */
export interface RunOutcome {
  readonly status: Exclude<RunStatus, "queued" | "running">;
  /** What the user was shown. */
  readonly text: string;
  readonly stopReason: string;
  readonly usage?: Usage | undefined;
  /** Short, secret-free error text for the client (the log has the details). */
  readonly error?: string | undefined;
  readonly model?: string | undefined;
}

/** One run the gateway knows about. */
export interface RunRecord {
  readonly runId: string;
  readonly sessionKey: string;
  readonly agentId: string;
  /** The message that started it (to tell an idempotent replay from a key reuse). */
  readonly message: string;
  status: RunStatus;
  readonly acceptedAt: number;
  startedAt?: number;
  endedAt?: number;
  outcome?: RunOutcome;
  /** Aborts the run (chat.abort, /stop, sessions.reset). */
  readonly ctrl: AbortController;
  /** Settles when the run ends. */
  readonly done: Promise<RunOutcome>;
}

/** Options of {@link RunRegistry}. */
export interface RunRegistryOptions {
  /** Finished runs kept for `agent.wait` and replays. Default 1000. */
  readonly maxFinished?: number;
  readonly now?: () => number;
}

/** Active and recently finished runs, by id; bounded. */
export class RunRegistry {
  readonly #runs = new Map<string, RunRecord>();
  readonly #finish = new Map<string, (o: RunOutcome) => void>();
  readonly #finished: string[] = [];
  readonly #maxFinished: number;
  readonly #now: () => number;

  constructor(opts: RunRegistryOptions = {}) {
    this.#maxFinished = Math.max(1, opts.maxFinished ?? 1000);
    this.#now = opts.now ?? Date.now;
  }

  /** Registers a new queued run. */
  create(runId: string, sessionKey: string, agentId: string, message: string): RunRecord {
    let settle!: (o: RunOutcome) => void;
    const done = new Promise<RunOutcome>((r) => {
      settle = r;
    });
    const rec: RunRecord = {
      runId,
      sessionKey,
      agentId,
      message,
      status: "queued",
      acceptedAt: this.#now(),
      ctrl: new AbortController(),
      done,
    };
    this.#runs.set(runId, rec);
    this.#finish.set(runId, settle);
    return rec;
  }

  get(runId: string): RunRecord | undefined {
    return this.#runs.get(runId);
  }

  /** Marks a run as running. */
  start(rec: RunRecord): void {
    rec.status = "running";
    rec.startedAt = this.#now();
  }

  /** Ends a run once; later calls are ignored. */
  end(rec: RunRecord, outcome: RunOutcome): void {
    const settle = this.#finish.get(rec.runId);
    if (settle === undefined) return;
    this.#finish.delete(rec.runId);
    rec.status = outcome.status;
    rec.endedAt = this.#now();
    rec.startedAt ??= rec.endedAt;
    rec.outcome = outcome;
    settle(outcome);
    this.#finished.push(rec.runId);
    while (this.#finished.length > this.#maxFinished) {
      const old = this.#finished.shift();
      if (old !== undefined) this.#runs.delete(old);
    }
  }

  /** Runs of a session that have not ended, oldest first. */
  activeFor(sessionKey: string): RunRecord[] {
    return [...this.#runs.values()].filter(
      (r) => r.sessionKey === sessionKey && (r.status === "queued" || r.status === "running"),
    );
  }

  /** Session keys with runs not ended. */
  activeKeys(): string[] {
    const keys = new Set<string>();
    for (const r of this.#runs.values())
      if (r.status === "queued" || r.status === "running") keys.add(r.sessionKey);
    return [...keys];
  }

  /** Number of runs not ended. */
  activeCount(): number {
    return this.#finish.size;
  }
}
