import type { Store } from "./store.js";

/** One finished agent run's token usage. */
export interface UsageRunRecord {
  readonly runId: string;
  readonly sessionKey: string;
  readonly sessionId: string;
  readonly agentId: string;
  /** Model ref that answered last, if any answered. */
  readonly model?: string | undefined;
  /** How the run ended (`stop`, `error`, `aborted`, ...). */
  readonly status: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costUsd?: number | undefined;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Usage summed over runs, per model. */
export interface UsageTotals {
  readonly model: string | null;
  readonly runs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costUsd: number | null;
}

/** The usage aggregate (table from migration 4): one row per run, summed on demand. */
export interface UsageStore {
  /** Records a run; a repeated run id is ignored (runs are recorded once). */
  record(r: UsageRunRecord): void;
  /** Totals per model of runs that ended at or after `since` (ms; default all). */
  totals(opts?: { since?: number }): UsageTotals[];
}

/** The usage aggregate over an open store. */
export function createUsageStore(store: Store): UsageStore {
  return {
    record(r) {
      store
        .statement(
          `INSERT OR IGNORE INTO usage_runs (run_id, session_key, session_id, agent_id, model, status,
             input_tokens, output_tokens, total_tokens, cost_usd, started_at, ended_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.runId,
          r.sessionKey,
          r.sessionId,
          r.agentId,
          r.model ?? null,
          r.status,
          r.inputTokens,
          r.outputTokens,
          r.totalTokens,
          r.costUsd ?? null,
          r.startedAt,
          r.endedAt,
        );
    },
    totals(o = {}) {
      const rows = store
        .statement(
          `SELECT model, count(*) AS runs, sum(input_tokens) AS inputTokens,
             sum(output_tokens) AS outputTokens, sum(total_tokens) AS totalTokens,
             sum(cost_usd) AS costUsd
           FROM usage_runs WHERE ended_at >= ? GROUP BY model ORDER BY model`,
        )
        .all(o.since ?? 0) as unknown as UsageTotals[];
      return rows.map((r) => ({ ...r }));
    },
  };
}
