import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PalisadeError } from "../../core/errors.js";
import { acquireGatewayLock, defaultIsAlive, lockFilePath, readLock } from "./lock.js";

const dir = () => mkdtempSync(join(tmpdir(), "pal-lock-"));

describe("gateway lock", () => {
  it("writes the holder's pid in a 0600 file and removes it on release", () => {
    const d = dir();
    const lock = acquireGatewayLock(d);
    expect(readLock(lock.file)?.pid).toBe(process.pid);
    expect(statSync(lock.file).mode & 0o777).toBe(0o600);
    lock.update({ port: 1234, host: "127.0.0.1" });
    expect(readLock(lock.file)).toMatchObject({ pid: process.pid, port: 1234, host: "127.0.0.1" });
    lock.release();
    expect(readLock(lock.file)).toBeUndefined();
    lock.release(); // idempotent
  });

  it("refuses a second gateway while the holder lives, naming its pid", () => {
    const d = dir();
    writeFileSync(lockFilePath(d), JSON.stringify({ pid: 4242, startedAt: "x" }));
    let caught: unknown;
    try {
      acquireGatewayLock(d, { isAlive: (pid) => pid === 4242 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PalisadeError);
    expect((caught as PalisadeError).code).toBe("PAL_GATEWAY_LOCKED");
    expect((caught as PalisadeError).message).toContain("pid 4242");
    expect((caught as PalisadeError).exitCode).toBe(1);
    expect(readLock(lockFilePath(d))?.pid).toBe(4242); // untouched
  });

  it("takes over a stale lock from a dead pid", () => {
    const d = dir();
    writeFileSync(lockFilePath(d), JSON.stringify({ pid: 4242, startedAt: "x" }));
    const lock = acquireGatewayLock(d, { isAlive: () => false });
    expect(readLock(lock.file)?.pid).toBe(process.pid);
    lock.release();
  });

  it("treats a garbage lock file as stale", () => {
    const d = dir();
    writeFileSync(lockFilePath(d), "not json");
    const lock = acquireGatewayLock(d);
    expect(JSON.parse(readFileSync(lock.file, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("does not release a lock another process took over", () => {
    const d = dir();
    const lock = acquireGatewayLock(d);
    writeFileSync(lock.file, JSON.stringify({ pid: 999_999, startedAt: "x" }));
    lock.release();
    expect(readLock(lock.file)?.pid).toBe(999_999);
  });

  it("knows this process is alive and a nonexistent pid is not", () => {
    expect(defaultIsAlive(process.pid)).toBe(true);
    expect(defaultIsAlive(2 ** 22 + 12345)).toBe(false);
  });
});
