import type { Migration } from "./migration.js";

/**
 * Every schema step of the state store, oldest first. Append only: later issues add their
 * aggregates (inbox, sessions, pairing, devices, audit, ...) as new entries at the end.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "kv",
    up(db) {
      // Small settings and markers that do not deserve a table of their own. Values are JSON.
      db.exec(`
        CREATE TABLE kv (
          key TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 512),
          value TEXT NOT NULL CHECK (json_valid(value)),
          updated_at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID
      `);
    },
  },
];
