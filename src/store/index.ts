/**
 * The state store: one SQLite file (`node:sqlite`, WAL) with forward-only migrations and one
 * module per aggregate. Other folders import the store only through this file.
 */

export type { KvEntry, KvOptions, KvStore } from "./kv.js";
export { createKv, KV_LIST_LIMIT, KV_MAX_KEY_LENGTH, KV_MAX_VALUE_BYTES } from "./kv.js";
export type { Migration } from "./migration.js";
export { assertMigrationList, latestVersion } from "./migration.js";
export { MIGRATIONS } from "./migrations.js";
export type { Store, StoreOptions } from "./store.js";
export { openStore } from "./store.js";
