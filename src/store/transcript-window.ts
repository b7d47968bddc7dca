import type { TranscriptEntry } from "./transcripts.js";

/**
 * Bounds of the in-memory cache of context windows. A busy gateway reads the context of a
 * session on every turn; keeping the recently active windows in memory turns that read (up to
 * 400 rows parsed from JSON) into one indexed check that the store still holds what the cache
 * saw.
 */
export interface ContextCacheOptions {
  /** Sessions whose window is kept; the least recently used one goes first. Default 1000. */
  readonly maxSessions?: number | undefined;
  /**
   * Entries kept over all sessions. Default 50,000: 125 sessions at the default 400-entry
   * window, many more short ones.
   */
  readonly maxEntries?: number | undefined;
  /**
   * Stored JSON characters kept over all sessions, the bound on memory (a message may be up to
   * 2 MiB; parsed, it takes a few times its JSON size). Default 32 Mi characters.
   */
  readonly maxChars?: number | undefined;
}

/** Defaults of {@link ContextCacheOptions}. */
export const CONTEXT_CACHE_DEFAULTS = {
  maxSessions: 1000,
  maxEntries: 50_000,
  maxChars: 32 * 1024 * 1024,
} as const;

/**
 * A session's context window as the store last returned it, kept up to date by appends.
 * `messages` holds the most recent `cap` message rows after the summary's `coversTo` (all of
 * them when `complete`), oldest first.
 */
export interface ContextWindow {
  readonly summary: TranscriptEntry | undefined;
  readonly messages: TranscriptEntry[];
  /** Stored JSON length of each message (parallel to `messages`) and of the summary. */
  readonly chars: number[];
  readonly summaryChars: number;
  readonly cap: number;
  complete: boolean;
  /**
   * Highest id of the session a committed read saw (0: none). Committed ids are never reused
   * (AUTOINCREMENT), so this row existing still means nothing before it changed.
   */
  verifiedTo: number;
  /**
   * Rows appended since the store was last checked, ascending. An append inside an outer
   * transaction can still be rolled back, and a rolled-back id can be given out again, so the
   * next read compares these rows with the store's.
   */
  unverified: AppendedRow[];
}

/** A row this process appended, with its stored JSON (to compare with the store's row). */
export interface AppendedRow {
  readonly entry: TranscriptEntry;
  readonly json: string;
}

/** Largest id a window knows of. */
export function lastIdOf(w: ContextWindow): number {
  return w.unverified.at(-1)?.entry.id ?? w.verifiedTo;
}

const entriesOf = (w: ContextWindow): number => w.messages.length + (w.summary === undefined ? 0 : 1);
const charsOf = (w: ContextWindow): number => w.chars.reduce((a, b) => a + b, w.summaryChars);

/** A bounded LRU of context windows by session id (Map order is the recency order). */
export class ContextCache {
  readonly #maxSessions: number;
  readonly #maxEntries: number;
  readonly #maxChars: number;
  readonly #windows = new Map<string, ContextWindow>();
  #entries = 0;
  #chars = 0;

  constructor(opts: ContextCacheOptions = {}) {
    this.#maxSessions = opts.maxSessions ?? CONTEXT_CACHE_DEFAULTS.maxSessions;
    this.#maxEntries = opts.maxEntries ?? CONTEXT_CACHE_DEFAULTS.maxEntries;
    this.#maxChars = opts.maxChars ?? CONTEXT_CACHE_DEFAULTS.maxChars;
  }

  /** Entries and stored JSON characters held now (for tests and diagnostics). */
  get size(): { sessions: number; entries: number; chars: number } {
    return { sessions: this.#windows.size, entries: this.#entries, chars: this.#chars };
  }

  /** Whether a session has a window (without marking it used). */
  has(sessionId: string): boolean {
    return this.#windows.has(sessionId);
  }

  /** The window of a session, marked most recently used. */
  get(sessionId: string): ContextWindow | undefined {
    const w = this.#windows.get(sessionId);
    if (w === undefined) return undefined;
    this.#windows.delete(sessionId);
    this.#windows.set(sessionId, w);
    return w;
  }

  set(sessionId: string, w: ContextWindow): void {
    this.delete(sessionId);
    this.#windows.set(sessionId, w);
    this.#entries += entriesOf(w);
    this.#chars += charsOf(w);
    this.#evict();
  }

  delete(sessionId: string): void {
    const w = this.#windows.get(sessionId);
    if (w === undefined) return;
    this.#windows.delete(sessionId);
    this.#entries -= entriesOf(w);
    this.#chars -= charsOf(w);
  }

  /**
   * Adds rows just inserted for a session (message rows only, ids ascending). A window that
   * cannot take them exactly (a summary, an id out of order) is dropped, so the next read loads
   * it from the store.
   */
  appended(sessionId: string, rows: readonly AppendedRow[]): void {
    const w = this.#windows.get(sessionId);
    if (w === undefined || rows.length === 0) return;
    this.#windows.delete(sessionId);
    this.#windows.set(sessionId, w);
    if (rows.some((r) => r.entry.kind !== "message") || (rows[0] as AppendedRow).entry.id <= lastIdOf(w)) {
      this.delete(sessionId);
      return;
    }
    for (const r of rows) {
      w.messages.push(r.entry);
      w.chars.push(r.json.length);
      w.unverified.push(r);
      this.#chars += r.json.length;
    }
    this.#entries += rows.length;
    const over = w.messages.length - w.cap;
    if (over > 0) {
      w.messages.splice(0, over);
      for (const n of w.chars.splice(0, over)) this.#chars -= n;
      w.complete = false;
      this.#entries -= over;
    }
    this.#evict();
  }

  #evict(): void {
    for (const [id, w] of this.#windows) {
      const fits =
        this.#windows.size <= this.#maxSessions &&
        this.#entries <= this.#maxEntries &&
        this.#chars <= this.#maxChars;
      if (fits) return;
      this.#windows.delete(id);
      this.#entries -= entriesOf(w);
      this.#chars -= charsOf(w);
    }
  }
}
