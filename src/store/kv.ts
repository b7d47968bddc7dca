import type { z } from "zod";
import { fail } from "../core/errors.js";
import type { Store } from "./store.js";

/** Longest key accepted (characters); the table enforces the same bound. */
export const KV_MAX_KEY_LENGTH = 512;
/** Largest JSON value accepted (UTF-8 bytes of its serialization). */
export const KV_MAX_VALUE_BYTES = 1024 * 1024;
/** Default and maximum number of rows {@link KvStore.list} returns. */
export const KV_LIST_LIMIT = { default: 1000, max: 10_000 } as const;

/** One listed entry. */
export interface KvEntry<T> {
  readonly key: string;
  readonly value: T;
}

/**
 * A small JSON key-value table for settings and markers. Values are validated on read with the
 * caller's zod schema, so a row written by another version never flows in unchecked.
 */
export interface KvStore {
  /** The value at `key` parsed by `schema`, or undefined; PAL_STORE_BAD_ROW when it does not parse. */
  get<S extends z.ZodType>(key: string, schema: S): z.output<S> | undefined;
  /** Stores `value` (JSON-serializable, at most {@link KV_MAX_VALUE_BYTES}) at `key`, replacing any. */
  set(key: string, value: unknown): void;
  /** Removes `key`; true when it existed. */
  delete(key: string): boolean;
  /** Entries whose key starts with `prefix`, in key order, at most `limit` (default 1000, max 10000). */
  list<S extends z.ZodType>(prefix: string, schema: S, opts?: { limit?: number }): KvEntry<z.output<S>>[];
}

/** Options for {@link createKv}. */
export interface KvOptions {
  /** Clock for `updated_at` (ms since epoch); default `Date.now`. */
  readonly now?: () => number;
}

interface Row {
  key: string;
  value: string;
}

/** The kv aggregate over an open store (table from migration 1). */
export function createKv(store: Store, opts: KvOptions = {}): KvStore {
  const now = opts.now ?? Date.now;

  const decode = <S extends z.ZodType>(row: Row, schema: S): z.output<S> => {
    let raw: unknown;
    try {
      raw = JSON.parse(row.value);
    } catch (err) {
      throw fail(
        "PAL_STORE_BAD_ROW",
        { table: "kv", key: row.key, detail: "value is not JSON" },
        { cause: err },
      );
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`)
        .join("; ");
      throw fail("PAL_STORE_BAD_ROW", { table: "kv", key: row.key, detail }, { cause: parsed.error });
    }
    return parsed.data;
  };

  return {
    get(key, schema) {
      checkKey(key);
      const row = store.statement("SELECT key, value FROM kv WHERE key = ?").get(key) as Row | undefined;
      return row === undefined ? undefined : decode(row, schema);
    },
    set(key, value) {
      checkKey(key);
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch (err) {
        throw fail(
          "PAL_STORE_VALUE_INVALID",
          { table: "kv", key, detail: (err as Error).message },
          { cause: err },
        );
      }
      if (json === undefined) {
        throw fail("PAL_STORE_VALUE_INVALID", {
          table: "kv",
          key,
          detail: "the value is not JSON-serializable",
        });
      }
      if (Buffer.byteLength(json) > KV_MAX_VALUE_BYTES) {
        throw fail("PAL_STORE_VALUE_INVALID", {
          table: "kv",
          key,
          detail: `the value is larger than ${KV_MAX_VALUE_BYTES} bytes`,
        });
      }
      store
        .statement(
          `INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        )
        .run(key, json, now());
    },
    delete(key) {
      checkKey(key);
      return Number(store.statement("DELETE FROM kv WHERE key = ?").run(key).changes) > 0;
    },
    list(prefix, schema, listOpts = {}) {
      const limit = listOpts.limit ?? KV_LIST_LIMIT.default;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > KV_LIST_LIMIT.max) {
        throw fail("PAL_STORE_MISUSE", {
          detail: `kv list limit must be 1..${KV_LIST_LIMIT.max}, got ${limit}`,
        });
      }
      // `key >= prefix` lets SQLite seek the primary key; substr() keeps only true prefix matches.
      const rows = store
        .statement(
          "SELECT key, value FROM kv WHERE key >= ?1 AND substr(key, 1, length(?1)) = ?1 ORDER BY key LIMIT ?2",
        )
        .all(prefix, limit) as unknown as Row[];
      return rows.map((row) => ({ key: row.key, value: decode(row, schema) }));
    },
  };
}

function checkKey(key: string): void {
  if (typeof key !== "string" || key.length === 0 || key.length > KV_MAX_KEY_LENGTH) {
    throw fail("PAL_STORE_VALUE_INVALID", {
      table: "kv",
      key: typeof key === "string" ? key.slice(0, 64) : String(key),
      detail: `keys must be 1..${KV_MAX_KEY_LENGTH} characters`,
    });
  }
}
