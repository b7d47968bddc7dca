import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PalisadeError } from "../core/errors.js";
import { type Migration, openStore, type Store } from "./index.js";

let dir: string;
const opened: Store[] = [];
const open = (...args: Parameters<typeof openStore>) => {
  const s = openStore(...args);
  opened.push(s);
  return s;
};
const mode = (p: string) => statSync(p).mode & 0o777;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pal-store-"));
});
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("openStore", () => {
  it("creates a private file in a private dir and keeps the WAL companions 0600", () => {
    const oldUmask = process.umask(0o022);
    try {
      const file = join(dir, "nested", "state.sqlite");
      const store = open({ file });
      store.statement("INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)").run("a", "1", 0);
      expect(mode(join(dir, "nested"))).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
    } finally {
      process.umask(oldUmask);
    }
  });

  it("tightens an existing world-readable store and its companions", () => {
    const file = join(dir, "state.sqlite");
    writeFileSync(file, "", { mode: 0o644 });
    writeFileSync(`${file}-wal`, "", { mode: 0o644 });
    open({ file });
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
  });

  it("sets WAL, busy timeout, foreign keys and synchronous NORMAL", () => {
    const store = open({ file: join(dir, "s.sqlite"), busyTimeoutMs: 1234 });
    const pragma = (name: string) => Object.values(store.db.prepare(`PRAGMA ${name}`).get() ?? {})[0];
    expect(pragma("journal_mode")).toBe("wal");
    expect(pragma("busy_timeout")).toBe(1234);
    expect(pragma("foreign_keys")).toBe(1);
    expect(pragma("synchronous")).toBe(1);
    expect(
      open({ file: join(dir, "d.sqlite") })
        .db.prepare("PRAGMA busy_timeout")
        .get(),
    ).toEqual({
      timeout: 5000,
    });
  });

  it("fails with PAL_STORE_OPEN_FAILED on a file that is not a database", () => {
    const file = join(dir, "junk.sqlite");
    writeFileSync(file, "x".repeat(4096));
    expect(() => openStore({ file })).toThrow(
      expect.objectContaining({ code: "PAL_STORE_OPEN_FAILED", message: expect.stringContaining(file) }),
    );
  });

  it("fails with PAL_STATE_DIR when the parent is a file", () => {
    writeFileSync(join(dir, "f"), "");
    expect(() => openStore({ file: join(dir, "f", "s.sqlite") })).toThrow(
      expect.objectContaining({ code: "PAL_STATE_DIR" }),
    );
  });

  it("reports integrity problems as a list, empty when sound", () => {
    expect(open({ file: join(dir, "s.sqlite") }).integrityCheck()).toEqual([]);
  });

  it("caches prepared statements per store", () => {
    const store = open({ file: join(dir, "s.sqlite") });
    expect(store.statement("SELECT 1")).toBe(store.statement("SELECT 1"));
  });

  it("closes idempotently", () => {
    const store = openStore({ file: join(dir, "s.sqlite") });
    store.close();
    store.close();
    expect(store.db.isOpen).toBe(false);
  });
});

describe("transaction", () => {
  let store: Store;
  const count = () => (store.statement("SELECT count(*) AS n FROM kv").get() as { n: number }).n;
  const insert = (key: string) =>
    store.statement("INSERT INTO kv (key, value, updated_at) VALUES (?, '1', 0)").run(key);
  beforeEach(() => {
    store = open({ file: join(dir, "s.sqlite") });
  });

  it("commits on return and rolls back on throw", () => {
    expect(
      store.transaction(() => {
        insert("a");
        return 42;
      }),
    ).toBe(42);
    expect(() =>
      store.transaction(() => {
        insert("b");
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(count()).toBe(1);
    expect(store.db.isTransaction).toBe(false);
  });

  it("nests with savepoints: an inner failure caught by the outer call undoes only the inner work", () => {
    store.transaction(() => {
      insert("outer");
      expect(() =>
        store.transaction(() => {
          insert("inner");
          throw new Error("inner");
        }),
      ).toThrow("inner");
      store.transaction(() => insert("inner2"));
    });
    const keys = (store.statement("SELECT key FROM kv ORDER BY key").all() as Array<{ key: string }>).map(
      (r) => r.key,
    );
    expect(keys).toEqual(["inner2", "outer"]);
  });

  it("refuses async callbacks and rolls back", () => {
    expect(() =>
      store.transaction(async () => {
        insert("a");
      }),
    ).toThrow(expect.objectContaining({ code: "PAL_STORE_MISUSE" }));
    expect(count()).toBe(0);
    expect(store.db.isTransaction).toBe(false);
  });

  it("refuses to run inside a transaction opened with raw SQL", () => {
    store.db.exec("BEGIN");
    expect(() => store.transaction(() => 1)).toThrow(expect.objectContaining({ code: "PAL_STORE_MISUSE" }));
    store.db.exec("ROLLBACK");
  });

  it("maps a lock held by another connection past the busy timeout to PAL_STORE_BUSY", () => {
    const file = join(dir, "busy.sqlite");
    const a = open({ file, busyTimeoutMs: 50 });
    const other = new DatabaseSync(file);
    other.exec("BEGIN IMMEDIATE");
    try {
      expect(() => a.transaction(() => 1)).toThrow(
        expect.objectContaining({ code: "PAL_STORE_BUSY", retryable: true }),
      );
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(a.transaction(() => 2)).toBe(2);
  });
});

describe("migrations", () => {
  const table = (name: string, version: number): Migration => ({
    version,
    name,
    up: (db) => db.exec(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY)`),
  });
  const tables = (s: Store) =>
    (
      s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
        name: string;
      }>
    ).map((r) => r.name);

  it("applies pending steps once and records them", () => {
    const file = join(dir, "m.sqlite");
    openStore({ file, migrations: [table("a", 1)] }).close();
    const s = open({ file, migrations: [table("a", 1), table("b", 2)] });
    expect(s.schemaVersion).toBe(2);
    expect(tables(s)).toEqual(["a", "b", "schema_migrations"]);
    const rows = s.db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { version: 1, name: "a" },
      { version: 2, name: "b" },
    ]);
  });

  it("rolls back a failing step and leaves the store at the previous version", () => {
    const file = join(dir, "m.sqlite");
    const bad: Migration = {
      version: 3,
      name: "bad",
      up(db) {
        db.exec("CREATE TABLE half (id INTEGER)");
        throw new Error("disk on fire");
      },
    };
    let err: unknown;
    try {
      openStore({ file, migrations: [table("a", 1), table("b", 2), bad] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PalisadeError);
    expect(err).toMatchObject({ code: "PAL_STORE_MIGRATION_FAILED" });
    expect((err as Error).message).toBe(
      "store migration 3 (bad) failed: disk on fire; the store was left at version 2",
    );
    const s = open({ file, migrations: [table("a", 1), table("b", 2)] });
    expect(s.schemaVersion).toBe(2);
    expect(tables(s)).not.toContain("half");
  });

  it("refuses a store newer than the code with PAL_STORE_TOO_NEW", () => {
    const file = join(dir, "m.sqlite");
    openStore({ file, migrations: [table("a", 1), table("b", 2)] }).close();
    expect(() => openStore({ file, migrations: [table("a", 1)] })).toThrow(
      expect.objectContaining({
        code: "PAL_STORE_TOO_NEW",
        message: expect.stringContaining("schema version 2, newer than this Palisade knows (1)"),
      }),
    );
  });

  it("refuses a list that is not strictly increasing", () => {
    expect(() =>
      openStore({ file: join(dir, "x.sqlite"), migrations: [table("a", 2), table("b", 2)] }),
    ).toThrow(expect.objectContaining({ code: "PAL_STORE_MISUSE" }));
  });

  it("does not re-apply a step another connection applied meanwhile", () => {
    const file = join(dir, "m.sqlite");
    const first = open({ file, migrations: [table("a", 1)] });
    const second = open({ file, migrations: [table("a", 1)] });
    expect(first.schemaVersion).toBe(1);
    expect(second.schemaVersion).toBe(1);
  });
});
