/**
 * Background exec runs (the `process` tool's sessions): output kept in memory up to a cap,
 * scoped to the chat session that started them, killable, and forgotten a while after they end.
 * Nothing survives a restart (as in OpenClaw).
 */
import { randomBytes } from "node:crypto";
import type { ExecResult } from "../sandbox/index.js";

/** One background run. */
export interface BackgroundRun {
  readonly id: string;
  readonly agentId: string;
  readonly sessionKey: string;
  readonly command: string;
  readonly startedAt: number;
  output: string;
  /** Offset of `output` already returned by poll. */
  polled: number;
  result?: ExecResult | undefined;
  readonly ctrl: AbortController;
  /** Settles once the run has ended and {@link ProcessRegistry.finish} recorded its result. */
  readonly ended: Promise<void>;
}

/** Most background runs per session. */
export const MAX_RUNS_PER_SESSION = 20;
/** Output kept per run, characters (the newest part is kept). */
export const MAX_RUN_OUTPUT = 200_000;
/** Finished runs are forgotten after this long, ms. */
const FINISHED_TTL_MS = 30 * 60_000;

/** The background runs of this process. */
export class ProcessRegistry {
  readonly #runs = new Map<string, BackgroundRun>();
  readonly #settle = new WeakMap<BackgroundRun, () => void>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Registers a run; the caller feeds output with {@link append} and ends it with {@link finish}. */
  start(input: { agentId: string; sessionKey: string; command: string }): BackgroundRun {
    this.#prune();
    const mine = this.list(input.sessionKey);
    if (mine.length >= MAX_RUNS_PER_SESSION) {
      const oldest = mine.find((r) => r.result !== undefined);
      if (oldest === undefined)
        throw new Error(`at most ${MAX_RUNS_PER_SESSION} background runs per session`);
      this.#runs.delete(oldest.id);
    }
    const { promise: ended, resolve } = Promise.withResolvers<void>();
    const run: BackgroundRun = {
      ...input,
      id: randomBytes(4).toString("hex"),
      startedAt: this.now(),
      output: "",
      polled: 0,
      ctrl: new AbortController(),
      ended,
    };
    this.#settle.set(run, resolve);
    this.#runs.set(run.id, run);
    return run;
  }

  /** Adds output, keeping the newest {@link MAX_RUN_OUTPUT} characters. */
  append(run: BackgroundRun, text: string): void {
    run.output += text;
    if (run.output.length > MAX_RUN_OUTPUT) {
      const cut = run.output.length - MAX_RUN_OUTPUT;
      run.output = run.output.slice(cut);
      run.polled = Math.max(0, run.polled - cut);
    }
  }

  /** Records how a run ended. */
  finish(run: BackgroundRun, result: ExecResult): void {
    run.result = result;
    this.#settle.get(run)?.();
  }

  /** A session's run by id. */
  get(sessionKey: string, id: string): BackgroundRun | undefined {
    const r = this.#runs.get(id);
    return r?.sessionKey === sessionKey ? r : undefined;
  }

  /** A session's runs, oldest first. */
  list(sessionKey: string): BackgroundRun[] {
    return [...this.#runs.values()].filter((r) => r.sessionKey === sessionKey);
  }

  /** Forgets a run (after kill or clear). */
  remove(id: string): void {
    this.#runs.delete(id);
  }

  /** Kills every run (shutdown). */
  killAll(): void {
    for (const r of this.#runs.values()) r.ctrl.abort();
  }

  #prune(): void {
    const now = this.now();
    for (const [id, r] of this.#runs)
      if (r.result !== undefined && now - r.startedAt - r.result.durationMs > FINISHED_TTL_MS)
        this.#runs.delete(id);
  }
}
