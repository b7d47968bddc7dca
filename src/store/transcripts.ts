import { fail } from "../core/errors.js";
import type { Store } from "./store.js";
import { ContextCache, type ContextCacheOptions, type ContextWindow, lastIdOf } from "./transcript-window.js";

/** Entry kinds: a model message, or a compaction summary that replaces everything before it. */
export type TranscriptKind = "message" | "summary";

/** Roles a transcript message can have (the AI SDK's model message roles). */
export type TranscriptRole = "user" | "assistant" | "tool" | "system";

/** A row to append. `message` is the JSON model message (`{role, content, ...}`). */
export interface TranscriptAppend {
  readonly kind?: TranscriptKind;
  readonly role: TranscriptRole;
  readonly message: unknown;
  readonly runId?: string | undefined;
  /** For a summary: id of the last entry it replaces (entries after it stay in the context). */
  readonly coversTo?: number | undefined;
}

/** A stored transcript entry. `message` is parsed JSON, not yet validated as a model message. */
export interface TranscriptEntry {
  readonly id: number;
  readonly kind: TranscriptKind;
  readonly role: TranscriptRole;
  readonly message: unknown;
  readonly runId: string | null;
  /** For a summary: id of the last entry it replaces. */
  readonly coversTo: number | null;
  readonly createdAt: number;
}

/** Bounds on transcript reads. */
export const TRANSCRIPT_LIMITS = {
  /** Default rows loaded as model context (the recent window). */
  contextDefault: 400,
  /** Largest page any read returns. */
  maxPage: 5000,
  /** Largest serialized message accepted, bytes. */
  maxMessageBytes: 2 * 1024 * 1024,
} as const;

/** The append-only transcripts aggregate (table from migration 4). */
export interface TranscriptStore {
  /** Appends entries in one transaction (all or none); returns their ids in order. */
  append(sessionKey: string, sessionId: string, entries: readonly TranscriptAppend[]): number[];
  /**
   * The model context of a session: the latest summary (if any) first, then the messages after
   * the last entry it covers, at most `limit` most recent ones (default 400), oldest first. Reads
   * only the tail of the index, so a session with many thousands of messages loads just as fast.
   */
  context(sessionId: string, opts?: { limit?: number }): TranscriptEntry[];
  /** The most recent `limit` entries (any kind), oldest first, optionally before entry `beforeId`. */
  recent(sessionId: string, opts?: { limit?: number; beforeId?: number }): TranscriptEntry[];
  count(sessionId: string): number;
  /** Deletes a transcript (only `sessions.delete` with deleteTranscript does this). */
  deleteSession(sessionId: string): number;
  /** Drops the cached context of a transcript that is no longer current (its rows stay). */
  forget(sessionId: string): void;
}

/** Options of {@link createTranscriptStore}. */
export interface TranscriptStoreOptions {
  /** Clock of `created_at`. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /**
   * The cache of recent context windows behind {@link TranscriptStore.context}; `false` reads
   * every context from SQLite. Default {@link CONTEXT_CACHE_DEFAULTS}. A cached window is
   * checked against the store (one indexed count) on every read, so rows written by anyone
   * else, rolled back or deleted make it reload.
   */
  readonly contextCache?: ContextCacheOptions | false | undefined;
}

interface Row {
  id: number;
  kind: string;
  role: string;
  content: string;
  run_id: string | null;
  covers_to: number | null;
  created_at: number;
}

function decode(row: Row): TranscriptEntry {
  let message: unknown;
  try {
    message = JSON.parse(row.content);
  } catch (err) {
    throw fail(
      "PAL_STORE_BAD_ROW",
      { table: "transcript_entries", key: String(row.id), detail: "content is not JSON" },
      { cause: err },
    );
  }
  return {
    id: row.id,
    kind: row.kind as TranscriptKind,
    role: row.role as TranscriptRole,
    message,
    runId: row.run_id,
    coversTo: row.covers_to,
    createdAt: row.created_at,
  };
}

/** The context of `limit` entries from a window (the summary counts as one). */
function windowEntries(w: ContextWindow, limit: number): TranscriptEntry[] {
  const count = w.summary === undefined ? limit : limit - 1;
  const messages = w.messages.slice(Math.max(0, w.messages.length - count));
  return w.summary === undefined ? messages : [w.summary, ...messages];
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > TRANSCRIPT_LIMITS.maxPage) {
    throw fail("PAL_STORE_MISUSE", { detail: `transcript limit must be 1..${TRANSCRIPT_LIMITS.maxPage}` });
  }
  return limit;
}

/**
 * The transcripts aggregate over an open store. Context entries may be shared between calls
 * (the cache): callers must not modify them.
 */
export function createTranscriptStore(store: Store, opts: TranscriptStoreOptions = {}): TranscriptStore {
  const now = opts.now ?? Date.now;
  const COLS = "id, kind, role, content, run_id, covers_to, created_at";
  const cache = opts.contextCache === false ? undefined : new ContextCache(opts.contextCache);

  /** Reads the context window of `limit` entries from SQLite (the summary counts as one). */
  const loadWindow = (sessionId: string, limit: number): ContextWindow => {
    const last = store
      .statement("SELECT max(id) AS last FROM transcript_entries WHERE session_id = ?")
      .get(sessionId) as { last: number | null };
    const summaryRow = store
      .statement(
        `SELECT ${COLS} FROM transcript_entries WHERE session_id = ? AND kind = 'summary'
         ORDER BY id DESC LIMIT 1`,
      )
      .get(sessionId) as Row | undefined;
    const summary = summaryRow === undefined ? undefined : decode(summaryRow);
    const count = summary === undefined ? limit : limit - 1;
    const rows = store
      .statement(
        `SELECT ${COLS} FROM transcript_entries
         WHERE session_id = ? AND id > ? AND kind = 'message'
         ORDER BY id DESC LIMIT ?`,
      )
      .all(sessionId, summary?.coversTo ?? 0, count) as unknown as Row[];
    rows.reverse();
    return {
      summary,
      summaryChars: summaryRow?.content.length ?? 0,
      messages: rows.map(decode),
      chars: rows.map((r) => r.content.length),
      cap: count,
      complete: rows.length < count,
      verifiedTo: last.last ?? 0,
      unverified: [],
    };
  };

  /**
   * Whether the store still holds exactly the rows a window saw: the last committed row it read
   * is there, and the rows after it are the ones appended since (same columns), nothing else.
   * Reads the anchor's id and the few appended rows through the index.
   */
  const stillCurrent = (sessionId: string, w: ContextWindow): boolean => {
    const rows = store
      .statement(
        `SELECT id, kind, role, CASE WHEN id > ?2 THEN content END AS content, run_id, covers_to, created_at
         FROM transcript_entries WHERE session_id = ?1 AND id >= ?2 ORDER BY id`,
      )
      .all(sessionId, w.verifiedTo) as unknown as Array<Omit<Row, "content"> & { content: string | null }>;
    const anchored = w.verifiedTo > 0 ? 1 : 0;
    if (rows.length !== anchored + w.unverified.length) return false;
    if (anchored === 1 && rows[0]?.id !== w.verifiedTo) return false;
    const same = w.unverified.every(({ entry: e, json }, i) => {
      const r = rows[anchored + i];
      return (
        r !== undefined &&
        r.id === e.id &&
        r.kind === e.kind &&
        r.role === e.role &&
        r.content === json &&
        r.run_id === e.runId &&
        r.covers_to === e.coversTo &&
        r.created_at === e.createdAt
      );
    });
    if (!same) return false;
    // Only a committed read may move the anchor: rows seen inside a transaction may go away.
    if (!store.db.isTransaction) {
      w.verifiedTo = lastIdOf(w);
      w.unverified = [];
    }
    return true;
  };

  return {
    append(sessionKey, sessionId, entries) {
      const rows = entries.map((e) => {
        const json = JSON.stringify(e.message);
        if (json === undefined || Buffer.byteLength(json) > TRANSCRIPT_LIMITS.maxMessageBytes) {
          throw fail("PAL_STORE_VALUE_INVALID", {
            table: "transcript_entries",
            key: sessionKey,
            detail: `a message must be JSON of at most ${TRANSCRIPT_LIMITS.maxMessageBytes} bytes`,
          });
        }
        return { ...e, json };
      });
      const t = now();
      const insert = (r: (typeof rows)[number]): number => {
        const res = store
          .statement(
            `INSERT INTO transcript_entries
                 (session_key, session_id, kind, role, content, run_id, covers_to, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            sessionKey,
            sessionId,
            r.kind ?? "message",
            r.role,
            r.json,
            r.runId ?? null,
            r.coversTo ?? null,
            t,
          );
        return Number(res.lastInsertRowid);
      };
      // One row is one statement, atomic by itself: no transaction (or savepoint) around it.
      const ids =
        rows.length === 1
          ? [insert(rows[0] as (typeof rows)[number])]
          : store.transaction(() => rows.map(insert));
      // Parsing back only for a window in memory; a session read later loads from SQLite anyway.
      if (cache?.has(sessionId)) {
        cache.appended(
          sessionId,
          rows.map((r, i) => ({
            entry: {
              id: ids[i] as number,
              kind: r.kind ?? "message",
              role: r.role,
              // Parsed back from the stored JSON, so it is exactly what a read from SQLite gives.
              message: JSON.parse(r.json),
              runId: r.runId ?? null,
              coversTo: r.coversTo ?? null,
              createdAt: t,
            },
            json: r.json,
          })),
        );
      }
      return ids;
    },
    context(sessionId, o = {}) {
      const limit = checkLimit(o.limit ?? TRANSCRIPT_LIMITS.contextDefault);
      // Inside a transaction the rows read may still be rolled back: read around the cache.
      if (store.db.isTransaction) return windowEntries(loadWindow(sessionId, limit), limit);
      let w = cache?.get(sessionId);
      if (w !== undefined) {
        const count = w.summary === undefined ? limit : limit - 1;
        if ((count > w.cap && !w.complete) || !stillCurrent(sessionId, w)) w = undefined;
      }
      if (w === undefined) {
        w = loadWindow(sessionId, limit);
        cache?.set(sessionId, w);
      }
      return windowEntries(w, limit);
    },
    recent(sessionId, o = {}) {
      const limit = checkLimit(o.limit ?? 200);
      const rows = store
        .statement(
          `SELECT ${COLS} FROM transcript_entries WHERE session_id = ? AND id < ?
           ORDER BY id DESC LIMIT ?`,
        )
        .all(sessionId, o.beforeId ?? Number.MAX_SAFE_INTEGER, limit) as unknown as Row[];
      return rows.reverse().map(decode);
    },
    count(sessionId) {
      const r = store
        .statement("SELECT count(*) AS n FROM transcript_entries WHERE session_id = ?")
        .get(sessionId) as { n: number };
      return r.n;
    },
    deleteSession(sessionId) {
      cache?.delete(sessionId);
      return Number(
        store.statement("DELETE FROM transcript_entries WHERE session_id = ?").run(sessionId).changes,
      );
    },
    forget(sessionId) {
      cache?.delete(sessionId);
    },
  };
}
