import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHECKPOINTER_START_BYTES, startWalCheckpointer, type WalCheckpointer } from "./checkpointer.js";
import { openStore, type Store } from "./index.js";

let dir: string;
const stores: Store[] = [];
const checkpointers: WalCheckpointer[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pal-ckpt-"));
});
afterEach(() => {
  for (const c of checkpointers.splice(0)) c.close();
  for (const s of stores.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = (file: string, walCheckpoints?: "inline" | "background") => {
  const s = openStore({ file, ...(walCheckpoints ? { walCheckpoints } : {}) });
  stores.push(s);
  return s;
};

/** Writes about `bytes` into the WAL, one row per transaction, as the gateway does. */
function write(store: Store, bytes: number): void {
  const value = JSON.stringify("v".repeat(1000));
  const put = store.statement("INSERT OR REPLACE INTO kv (key, value, updated_at) VALUES (?, ?, ?)");
  for (let i = 0; i < bytes / 1000; i++) store.transaction(() => put.run(`k${i}`, value, i));
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
}

const walFrames = (store: Store) =>
  store.statement("PRAGMA wal_checkpoint(PASSIVE)").get() as { log: number; checkpointed: number };

describe("WAL checkpointer", () => {
  it("starts its worker once the WAL is past the start size and copies the WAL into the database", async () => {
    const file = join(dir, "s.sqlite");
    const store = open(file);
    // SQLite's own checkpoint off, so every copied frame is the worker's.
    store.db.exec("PRAGMA wal_autocheckpoint = 0");
    const ckpt = startWalCheckpointer({ file, intervalMs: 20, probeMs: 20 });
    checkpointers.push(ckpt);
    write(store, 64 * 1024);
    expect(statSync(`${file}-wal`).size).toBeLessThan(CHECKPOINTER_START_BYTES);
    await new Promise((r) => setTimeout(r, 100));
    expect(ckpt.stats().started).toBe(false);

    write(store, CHECKPOINTER_START_BYTES * 1.5);
    await until(() => ckpt.stats().framesCopied > 0);
    expect(ckpt.stats()).toMatchObject({ started: true, failed: 0 });
    expect(ckpt.stats().runs).toBeGreaterThan(0);
    // The worker keeps up: once it ran after the last write, it had copied every frame the WAL
    // holds (asked only now, since the main connection's own checkpoint would copy the rest).
    const runs = ckpt.stats().runs;
    await until(() => ckpt.stats().runs > runs + 1);
    const copied = ckpt.stats().framesCopied;
    const frames = walFrames(store);
    expect(frames.log).toBeGreaterThan(0);
    expect(copied).toBeGreaterThanOrEqual(frames.log);
    expect(store.integrityCheck()).toEqual([]);
  });

  it("is off by default and opt-in per store; the store closes it", async () => {
    expect(open(join(dir, "a.sqlite")).walCheckpointStats()).toBeUndefined();
    expect(open(":memory:", "background").walCheckpointStats()).toBeUndefined();
    const file = join(dir, "b.sqlite");
    const store = open(file, "background");
    expect(store.walCheckpointStats()).toEqual({
      started: false,
      runs: 0,
      busy: 0,
      framesCopied: 0,
      failed: 0,
    });
    store.close();
    // Closed before the WAL grew: the probe stopped, so no worker starts afterwards.
    const again = open(file);
    write(again, CHECKPOINTER_START_BYTES * 1.5);
    await new Promise((r) => setTimeout(r, 1200));
    expect(store.walCheckpointStats()?.started).toBe(false);
  });

  it("sets a WAL size limit so a large transaction does not leave a large file behind", () => {
    const store = open(join(dir, "c.sqlite"));
    expect(store.db.prepare("PRAGMA journal_size_limit").get()).toEqual({
      journal_size_limit: 32 * 1024 * 1024,
    });
  });
});
