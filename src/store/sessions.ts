import { randomUUID } from "node:crypto";
import { z } from "zod";
import { fail } from "../core/errors.js";
import type { Store } from "./store.js";

/** One session: a conversation with an agent under a stable key; `sessionId` changes on reset. */
export interface SessionRow {
  readonly key: string;
  readonly agentId: string;
  /** Id of the current transcript; a reset starts a new one and keeps the old rows. */
  readonly sessionId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When the session was last reset (`/new`, `/reset`, daily or idle rule), if ever. */
  readonly resetAt: number | null;
  /** Model ref that answered last. */
  readonly model: string | null;
  readonly label: string | null;
  readonly runs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costUsd: number | null;
}

/** Default and maximum rows {@link SessionStore.list} returns. */
export const SESSION_LIST_LIMIT = { default: 200, max: 5000 } as const;

const rowSchema = z.object({
  key: z.string(),
  agent_id: z.string(),
  session_id: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
  reset_at: z.number().nullable(),
  model: z.string().nullable(),
  label: z.string().nullable(),
  runs: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_tokens: z.number(),
  cost_usd: z.number().nullable(),
});

function decode(raw: unknown): SessionRow {
  const r = rowSchema.safeParse(raw);
  if (!r.success) {
    throw fail("PAL_STORE_BAD_ROW", {
      table: "sessions",
      key: "?",
      detail: r.error.issues[0]?.message ?? "",
    });
  }
  const d = r.data;
  return {
    key: d.key,
    agentId: d.agent_id,
    sessionId: d.session_id,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    resetAt: d.reset_at,
    model: d.model,
    label: d.label,
    runs: d.runs,
    inputTokens: d.input_tokens,
    outputTokens: d.output_tokens,
    totalTokens: d.total_tokens,
    costUsd: d.cost_usd,
  };
}

/** Usage added to a session after a run. */
export interface SessionUsageDelta {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costUsd?: number | undefined;
}

/** Options of {@link SessionStore.list}. */
export interface SessionListOptions {
  /** Rows, newest activity first. Default 200, max 5000. */
  readonly limit?: number | undefined;
  readonly agentId?: string | undefined;
  /** Only sessions active at or after this time (ms). */
  readonly activeSince?: number | undefined;
  /** Case-insensitive substring of the key or label. */
  readonly search?: string | undefined;
}

/** The sessions aggregate (table from migration 4). */
export interface SessionStore {
  get(key: string): SessionRow | undefined;
  /** The session at `key`, created (with a fresh session id) when missing. */
  ensure(key: string, agentId: string): SessionRow;
  /** Starts a new transcript for `key` (the old one stays in the store); creates the row if missing. */
  reset(key: string, agentId: string): SessionRow;
  /** Records a finished run: usage, model and activity time. */
  recordRun(key: string, model: string | undefined, usage: SessionUsageDelta): void;
  /** Marks activity without a run (e.g. a chat command). */
  touch(key: string): void;
  /** Removes the session row; true when it existed. Transcripts are removed separately. */
  delete(key: string): boolean;
  list(opts?: SessionListOptions): SessionRow[];
  count(): number;
}

/** The sessions aggregate over an open store; `now` is injectable for tests. */
export function createSessionStore(store: Store, opts: { now?: () => number } = {}): SessionStore {
  const now = opts.now ?? Date.now;
  const get = (key: string) => {
    const raw = store.statement("SELECT * FROM sessions WHERE key = ?").get(key);
    return raw === undefined ? undefined : decode(raw);
  };
  const insert = (key: string, agentId: string, resetAt: number | null) => {
    const t = now();
    store
      .statement(
        `INSERT INTO sessions (key, agent_id, session_id, created_at, updated_at, reset_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(key, agentId, randomUUID(), t, t, resetAt);
  };
  const checkKey = (key: string) => {
    if (key.length === 0 || key.length > 512) {
      throw fail("PAL_SESSION_BAD_KEY", {
        key: JSON.stringify(key.slice(0, 64)),
        detail: "1..512 characters",
      });
    }
  };
  return {
    get,
    ensure(key, agentId) {
      checkKey(key);
      // One statement (no transaction of its own): it runs at the start of every new session.
      const t = now();
      const raw = store
        .statement(
          `INSERT INTO sessions (key, agent_id, session_id, created_at, updated_at, reset_at)
           VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT (key) DO NOTHING RETURNING *`,
        )
        .get(key, agentId, randomUUID(), t, t);
      return raw === undefined ? (get(key) as SessionRow) : decode(raw);
    },
    reset(key, agentId) {
      checkKey(key);
      return store.transaction(() => {
        const t = now();
        const changed = store
          .statement("UPDATE sessions SET session_id = ?, reset_at = ?, updated_at = ? WHERE key = ?")
          .run(randomUUID(), t, t, key).changes;
        if (Number(changed) === 0) insert(key, agentId, t);
        return get(key) as SessionRow;
      });
    },
    recordRun(key, model, usage) {
      store
        .statement(
          `UPDATE sessions SET updated_at = ?, model = coalesce(?, model), runs = runs + 1,
             input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
             total_tokens = total_tokens + ?,
             cost_usd = CASE WHEN ? IS NULL THEN cost_usd ELSE coalesce(cost_usd, 0) + ? END
           WHERE key = ?`,
        )
        .run(
          now(),
          model ?? null,
          usage.inputTokens,
          usage.outputTokens,
          usage.totalTokens,
          usage.costUsd ?? null,
          usage.costUsd ?? null,
          key,
        );
    },
    touch(key) {
      store.statement("UPDATE sessions SET updated_at = ? WHERE key = ?").run(now(), key);
    },
    delete(key) {
      return Number(store.statement("DELETE FROM sessions WHERE key = ?").run(key).changes) > 0;
    },
    list(o = {}) {
      const limit = o.limit ?? SESSION_LIST_LIMIT.default;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > SESSION_LIST_LIMIT.max) {
        throw fail("PAL_STORE_MISUSE", { detail: `session list limit must be 1..${SESSION_LIST_LIMIT.max}` });
      }
      const search = o.search === undefined ? null : `%${o.search.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`;
      const rows = store
        .statement(
          `SELECT * FROM sessions
           WHERE (?1 IS NULL OR agent_id = ?1) AND (?2 IS NULL OR updated_at >= ?2)
             AND (?3 IS NULL OR lower(key) LIKE ?3 ESCAPE '\\' OR lower(coalesce(label, '')) LIKE ?3 ESCAPE '\\')
           ORDER BY updated_at DESC, key LIMIT ?4`,
        )
        .all(o.agentId ?? null, o.activeSince ?? null, search, limit);
      return rows.map(decode);
    },
    count() {
      const r = store.statement("SELECT count(*) AS n FROM sessions").get() as { n: number };
      return r.n;
    },
  };
}
