import type { DatabaseSync } from "node:sqlite";
import { fail } from "../core/errors.js";

/**
 * One forward-only schema step. Versions are positive integers, strictly increasing in the
 * list; a released migration is never edited or removed, only followed by a new one.
 */
export interface Migration {
  /** Schema version this step brings the store to. */
  readonly version: number;
  /** Short name recorded in `schema_migrations`, for humans reading the store. */
  readonly name: string;
  /** Applies the step. Runs inside its own transaction; throw to roll it back. */
  up(db: DatabaseSync): void;
}

/** Throws PAL_STORE_MISUSE unless versions are positive integers, unique and strictly increasing. */
export function assertMigrationList(migrations: readonly Migration[]): void {
  let prev = 0;
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version <= prev) {
      throw fail("PAL_STORE_MISUSE", {
        detail: `migration "${m.name}" has version ${m.version}, which does not follow ${prev}; versions must be unique, positive and strictly increasing`,
      });
    }
    prev = m.version;
  }
}

/** The highest version a migration list knows, 0 for an empty list. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.at(-1)?.version ?? 0;
}
