import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fail } from "../../core/errors.js";

/** What the lock file records about its holder. */
export interface LockInfo {
  pid: number;
  startedAt: string;
  /** Filled in once the gateway listens, for `doctor`, error messages and local clients. */
  port?: number;
  /** The address the gateway listens on. */
  host?: string;
}

/** A held gateway lock. */
export interface GatewayLock {
  readonly file: string;
  /** Records the port the holder listens on. */
  update(info: Partial<LockInfo>): void;
  /** Removes the lock file if this process still holds it. Idempotent. */
  release(): void;
}

/** Options for {@link acquireGatewayLock}. */
export interface LockOptions {
  /** Process id to record; default `process.pid`. */
  readonly pid?: number;
  /** Liveness probe; default signals the pid with 0 and checks its command line. */
  readonly isAlive?: (pid: number) => boolean;
}

/** The lock file's path for a state dir. */
export function lockFilePath(stateDir: string): string {
  return join(stateDir, "gateway.lock");
}

/**
 * True when `pid` is a running process that could be a gateway. A pid reused by an unrelated
 * program (after a crash and reboot) counts as dead, so a stale lock never blocks a start.
 */
export function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /node|palisade/i.test(cmd);
  } catch {
    return true; // no /proc: trust the signal probe
  }
}

/** Reads a lock file; undefined when missing or unreadable garbage (treated as stale). */
export function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as Partial<LockInfo>;
    return typeof v.pid === "number" && Number.isInteger(v.pid) && v.pid > 0 ? (v as LockInfo) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the one-gateway-per-state-dir lock. A live holder: PAL_GATEWAY_LOCKED naming its pid.
 * A stale lock (dead pid or garbage) is taken over. Creation is O_EXCL, so two starters racing
 * for a stale lock cannot both win.
 */
export function acquireGatewayLock(stateDir: string, opts: LockOptions = {}): GatewayLock {
  const file = lockFilePath(stateDir);
  const pid = opts.pid ?? process.pid;
  const isAlive = opts.isAlive ?? defaultIsAlive;
  const info: LockInfo = { pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx", 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw fail("PAL_STATE_DIR", {
          dir: stateDir,
          detail: `cannot create ${file}: ${(err as Error).message}`,
        });
      }
      const holder = readLock(file);
      if (holder && holder.pid !== pid && isAlive(holder.pid)) {
        throw fail(
          "PAL_GATEWAY_LOCKED",
          { pid: holder.pid, dir: stateDir },
          { details: { pid: holder.pid } },
        );
      }
      // Stale (or our own from an earlier run in this pid): remove it and try again.
      rmSync(file, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify(info));
    closeSync(fd);
    let released = false;
    return {
      file,
      update(extra) {
        if (released) return;
        Object.assign(info, extra);
        const current = readLock(file);
        if (current?.pid === pid) writeFileAtomicish(file, JSON.stringify(info));
      },
      release() {
        if (released) return;
        released = true;
        if (readLock(file)?.pid === pid) rmSync(file, { force: true });
      },
    };
  }
  throw fail("PAL_STATE_DIR", {
    dir: stateDir,
    detail: `could not take the gateway lock ${file}; remove it if no gateway runs`,
  });
}

function writeFileAtomicish(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}
