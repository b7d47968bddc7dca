import { fail, PalisadeError } from "../core/errors.js";
import { assertMigrationList, latestVersion, type Migration } from "./migration.js";
import type { Store } from "./store.js";

/**
 * Brings the store up to the last version in `migrations`. Each pending step runs in its own
 * transaction together with its `schema_migrations` row, so a failing step rolls back and
 * leaves the store at the previous version (PAL_STORE_MIGRATION_FAILED). A store newer than the
 * list fails with PAL_STORE_TOO_NEW. The version is re-read inside each transaction, so two
 * processes opening the same file at once apply every step exactly once.
 */
export function applyMigrations(store: Store, migrations: readonly Migration[]): void {
  assertMigrationList(migrations);
  store
    .statement(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
       version INTEGER PRIMARY KEY NOT NULL,
       name TEXT NOT NULL,
       applied_at TEXT NOT NULL
     ) STRICT`,
    )
    .run();
  const known = latestVersion(migrations);
  const start = store.schemaVersion;
  if (start > known) throw fail("PAL_STORE_TOO_NEW", { version: start, known });
  for (const m of migrations) {
    if (m.version <= start) continue;
    let from = start;
    try {
      store.transaction(() => {
        from = store.schemaVersion;
        if (from > known) throw fail("PAL_STORE_TOO_NEW", { version: from, known });
        if (m.version <= from) return;
        m.up(store.db);
        store
          .statement("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .run(m.version, m.name, new Date().toISOString());
      });
    } catch (err) {
      if (err instanceof PalisadeError && err.code === "PAL_STORE_TOO_NEW") throw err;
      throw fail(
        "PAL_STORE_MIGRATION_FAILED",
        { version: `${m.version} (${m.name})`, detail: (err as Error).message, from },
        { cause: err },
      );
    }
  }
}
