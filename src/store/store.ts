import { DatabaseSync, type StatementSync } from "node:sqlite";
import { fail, PalisadeError } from "../core/errors.js";
import { startWalCheckpointer, type WalCheckpointer, type WalCheckpointStats } from "./checkpointer.js";
import { preparePrivateFile } from "./file-mode.js";
import { applyMigrations } from "./migrate.js";
import type { Migration } from "./migration.js";
import { MIGRATIONS } from "./migrations.js";

/** Options for {@link openStore}. */
export interface StoreOptions {
  /** Path of the SQLite file, normally `<stateDir>/state.sqlite`. Created 0600 in a 0700 dir. */
  readonly file: string;
  /** Schema steps to apply on open; default {@link MIGRATIONS}. Tests pass their own. */
  readonly migrations?: readonly Migration[];
  /** How long a statement waits for another connection's lock before failing; default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * Where WAL checkpoints run. "inline" (default): SQLite's auto-checkpoint, inside the commit
   * that takes the WAL past 1000 pages, fine for a short CLI command. "background": a worker
   * thread checkpoints once the WAL has grown (see `checkpointer.ts`), so a long-running process
   * such as the gateway does not copy pages and fsync on its event loop; SQLite's own checkpoint
   * then runs only every {@link BACKGROUND_AUTOCHECKPOINT_PAGES} pages and finds little to do.
   */
  readonly walCheckpoints?: "inline" | "background";
}

/** An open state store. One per process; modules such as `kv` take it as their only dependency. */
export interface Store {
  /** The underlying connection, for aggregate modules. Use {@link Store.statement} for SQL. */
  readonly db: DatabaseSync;
  /** Absolute or given path of the database file. */
  readonly file: string;
  /** Highest applied migration version (0 for an empty store). */
  readonly schemaVersion: number;
  /**
   * A prepared statement for `sql`, cached per store (up to 256 distinct texts). Pass values as
   * parameters, never by building SQL strings.
   */
  statement(sql: string): StatementSync;
  /**
   * Runs `fn` in `BEGIN IMMEDIATE` ... `COMMIT`, rolling back when it throws. A nested call runs
   * in a savepoint of the outer transaction, so an inner failure undoes only the inner work when
   * the outer caller catches it. `fn` must be synchronous: a returned promise is refused
   * (PAL_STORE_MISUSE) and everything is rolled back.
   */
  transaction<T>(fn: () => T): T;
  /** `PRAGMA integrity_check`: an empty list when the file is sound, else SQLite's findings. */
  integrityCheck(): string[];
  /** What the background checkpointer did; undefined with `walCheckpoints: "inline"`. */
  walCheckpointStats(): WalCheckpointStats | undefined;
  /** Closes the connection; idempotent. */
  close(): void;
}

const STATEMENT_CACHE_MAX = 256;
const SQLITE_BUSY = 5;
/**
 * The WAL file is truncated back to this size when it is reset, so one large transaction (a
 * migration, a bulk import) does not leave a file that large on disk for good. SQLite's
 * default is no limit.
 */
export const WAL_SIZE_LIMIT_BYTES = 32 * 1024 * 1024;
/**
 * SQLite's auto-checkpoint threshold while the background checkpointer runs (default 1000).
 * Higher, so the main connection's own checkpoint, which mostly just resets the WAL, runs a
 * quarter as often; the WAL file stays around 16 MiB at most, under {@link WAL_SIZE_LIMIT_BYTES}.
 */
export const BACKGROUND_AUTOCHECKPOINT_PAGES = 4000;

/**
 * Opens (creating if needed) the state store: WAL journal, busy timeout, foreign keys on,
 * synchronous NORMAL, defensive mode, then applies pending migrations. Fails with
 * PAL_STORE_OPEN_FAILED, PAL_STORE_MIGRATION_FAILED or PAL_STORE_TOO_NEW; on failure nothing
 * stays open.
 */
export function openStore(opts: StoreOptions): Store {
  const { file } = opts;
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw fail("PAL_STORE_MISUSE", {
      detail: `busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`,
    });
  }
  let db: DatabaseSync;
  try {
    if (file !== ":memory:") preparePrivateFile(file);
    db = new DatabaseSync(file, {
      timeout: busyTimeoutMs,
      enableForeignKeyConstraints: true,
      defensive: true,
    });
  } catch (err) {
    if (err instanceof PalisadeError) throw err;
    throw fail("PAL_STORE_OPEN_FAILED", { file, detail: (err as Error).message }, { cause: err });
  }
  let checkpointer: WalCheckpointer | undefined;
  try {
    const store = createStore(db, file, busyTimeoutMs, () => checkpointer);
    const mode = store.statement("PRAGMA journal_mode = WAL").get() as { journal_mode?: string } | undefined;
    if (file !== ":memory:" && mode?.journal_mode !== "wal") {
      throw new Error(`could not switch to WAL journal (got ${String(mode?.journal_mode)})`);
    }
    store.statement("PRAGMA synchronous = NORMAL").run();
    store.statement("PRAGMA foreign_keys = ON").run();
    store.statement(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`).get();
    applyMigrations(store, opts.migrations ?? MIGRATIONS);
    if (opts.walCheckpoints === "background" && file !== ":memory:") {
      checkpointer = startWalCheckpointer({
        file,
        onStart: () => {
          if (db.isOpen) db.exec(`PRAGMA wal_autocheckpoint = ${BACKGROUND_AUTOCHECKPOINT_PAGES}`);
        },
      });
    }
    return store;
  } catch (err) {
    db.close();
    if (err instanceof PalisadeError) throw err;
    throw fail("PAL_STORE_OPEN_FAILED", { file, detail: (err as Error).message }, { cause: err });
  }
}

function createStore(
  db: DatabaseSync,
  file: string,
  busyTimeoutMs: number,
  checkpointer: () => WalCheckpointer | undefined,
): Store {
  const cache = new Map<string, StatementSync>();
  let depth = 0;

  const statement = (sql: string): StatementSync => {
    const hit = cache.get(sql);
    if (hit) {
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const stmt = db.prepare(sql);
    cache.set(sql, stmt);
    if (cache.size > STATEMENT_CACHE_MAX) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return stmt;
  };

  const begin = (): void => {
    if (depth > 0) {
      statement("SAVEPOINT palisade_nested").run();
      return;
    }
    if (db.isTransaction) {
      throw fail("PAL_STORE_MISUSE", {
        detail: "a transaction was opened with raw SQL; use store.transaction() only",
      });
    }
    try {
      statement("BEGIN IMMEDIATE").run();
    } catch (err) {
      if ((err as { errcode?: number }).errcode === SQLITE_BUSY) {
        throw fail("PAL_STORE_BUSY", { file, timeoutMs: busyTimeoutMs }, { cause: err });
      }
      throw err;
    }
  };

  const rollback = (): void => {
    if (depth > 0) {
      statement("ROLLBACK TO palisade_nested").run();
      statement("RELEASE palisade_nested").run();
    } else if (db.isTransaction) {
      statement("ROLLBACK").run();
    }
  };

  const commit = (): void => {
    if (depth > 0) {
      statement("RELEASE palisade_nested").run();
      return;
    }
    try {
      statement("COMMIT").run();
    } catch (err) {
      if (db.isTransaction) statement("ROLLBACK").run();
      throw err;
    }
  };

  const transaction = <T>(fn: () => T): T => {
    begin();
    depth++;
    let result: T;
    try {
      result = fn();
      if (isThenable(result)) {
        Promise.resolve(result).catch(() => {});
        throw fail("PAL_STORE_MISUSE", {
          detail: "transaction callbacks must be synchronous; do async work before or after the transaction",
        });
      }
    } catch (err) {
      depth--;
      rollback();
      throw err;
    }
    depth--;
    commit();
    return result;
  };

  return {
    db,
    file,
    get schemaVersion() {
      const row = statement("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").get() as
        | { v: number }
        | undefined;
      return row?.v ?? 0;
    },
    statement,
    transaction,
    integrityCheck() {
      const rows = statement("PRAGMA integrity_check").all() as Array<{ integrity_check: string }>;
      const problems = rows.map((r) => r.integrity_check);
      return problems.length === 1 && problems[0] === "ok" ? [] : problems;
    },
    walCheckpointStats: () => checkpointer()?.stats(),
    close() {
      if (!db.isOpen) return;
      checkpointer()?.close();
      cache.clear();
      db.close();
    },
  };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    (typeof v === "object" || typeof v === "function") &&
    v !== null &&
    typeof (v as { then?: unknown }).then === "function"
  );
}
