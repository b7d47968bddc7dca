import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { openStore, verifyAudit } from "../store/index.js";
import type { DoctorCheck, DoctorResult } from "./types.js";

const SUBDIRS = ["credentials", "logs", "workspace"];

/** State dir exists, is private, and has its sub-directories. */
export const checkStateDir: DoctorCheck = async (ctx) => {
  const dir = ctx.paths.stateDir;
  const repaired: string[] = [];
  if (!existsSync(dir)) {
    if (!ctx.fix)
      return {
        id: "doctor.state_dir",
        status: "fail",
        message: `${dir} does not exist`,
        fix: "run with --fix (creates it 0700)",
      };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    repaired.push(`created ${dir} (0700)`);
  }
  const st = lstatSync(dir);
  if (!st.isDirectory())
    return { id: "doctor.state_dir", status: "fail", message: `${dir} is not a directory` };
  const problems: string[] = [];
  if ((st.mode & 0o077) !== 0) {
    if (ctx.fix) {
      chmodSync(dir, 0o700);
      repaired.push(`chmod 700 ${dir}`);
    } else problems.push(`${dir} is 0${(st.mode & 0o777).toString(8)} (want 0700)`);
  }
  for (const sub of SUBDIRS) {
    const p = join(dir, sub);
    if (existsSync(p)) continue;
    if (ctx.fix) {
      mkdirSync(p, { mode: 0o700 });
      repaired.push(`created ${p} (0700)`);
    } else problems.push(`${p} is missing`);
  }
  return problems.length > 0
    ? {
        id: "doctor.state_dir",
        status: "warn",
        message: problems.join("; "),
        fix: "run `palisade doctor --fix`",
      }
    : {
        id: "doctor.state_dir",
        status: "ok",
        message: `${dir} is private and complete`,
        ...(repaired.length ? { repaired } : {}),
      };
};

function filesUnder(dir: string, depth = 0): string[] {
  if (depth > 2) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.slice(0, 2000).flatMap((n) => {
    const p = join(dir, n);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return [];
    if (st.isDirectory()) return n === "workspace" ? [] : [p, ...filesUnder(p, depth + 1)];
    return [p];
  });
}

/** Every file in the state dir is 0600 and every dir 0700 (workspace files are left alone). */
export const checkPermissions: DoctorCheck = async (ctx) => {
  const loose: string[] = [];
  const repaired: string[] = [];
  const candidates = [
    ...filesUnder(ctx.paths.stateDir),
    ...(existsSync(ctx.paths.configPath) ? [ctx.paths.configPath] : []),
  ];
  for (const p of new Set(candidates)) {
    const st = lstatSync(p);
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o077) === 0) continue;
    if (ctx.fix) {
      chmodSync(p, want);
      repaired.push(`chmod ${want.toString(8)} ${p}`);
    } else loose.push(`${p} (0${(st.mode & 0o777).toString(8)})`);
  }
  return loose.length > 0
    ? {
        id: "doctor.permissions",
        status: "fail",
        message: `group/world can access: ${loose.slice(0, 10).join(", ")}`,
        fix: "run `palisade doctor --fix`",
      }
    : {
        id: "doctor.permissions",
        status: "ok",
        message: "state files are 0600, dirs 0700",
        ...(repaired.length ? { repaired } : {}),
      };
};

/** SQLite integrity check and audit-chain verification. */
export const checkStore: DoctorCheck = async (ctx) => {
  const file = join(ctx.paths.stateDir, "state.sqlite");
  if (!existsSync(file))
    return { id: "doctor.store", status: "ok", message: "no store yet (created on first gateway start)" };
  let store: ReturnType<typeof openStore>;
  try {
    store = openStore({ file });
  } catch (err) {
    return {
      id: "doctor.store",
      status: "fail",
      message: (err as Error).message,
      fix: "restore state.sqlite from a backup",
    };
  }
  try {
    const problems = store.integrityCheck();
    const out: DoctorResult[] = [
      problems.length === 0
        ? { id: "doctor.store", status: "ok", message: `integrity ok, schema v${store.schemaVersion}` }
        : {
            id: "doctor.store",
            status: "fail",
            message: `integrity check: ${problems.slice(0, 5).join("; ")}`,
            fix: "stop the gateway and restore state.sqlite from a backup",
          },
    ];
    const chain = verifyAudit(store);
    out.push(
      chain.ok
        ? { id: "doctor.audit_chain", status: "ok", message: `audit log intact (${chain.count} records)` }
        : {
            id: "doctor.audit_chain",
            status: "fail",
            message: `audit log broken at seq ${chain.badSeq}: ${chain.reason}`,
            fix: "treat as an incident: someone changed state.sqlite; see `palisade audit export`",
          },
    );
    const newest = store.statement("SELECT max(ts) AS ts FROM audit_log").get() as
      | { ts: number | null }
      | undefined;
    const ts = Number(newest?.ts ?? 0);
    const now = ctx.now();
    const year = new Date(now).getUTCFullYear();
    out.push(
      year < 2024
        ? {
            id: "doctor.clock",
            status: "fail",
            message: `system clock says ${new Date(now).toISOString()}`,
            fix: "enable time sync (systemd-timesyncd / chrony)",
          }
        : ts > now + 5 * 60_000
          ? {
              id: "doctor.clock",
              status: "fail",
              message: `clock is ${Math.round((ts - now) / 60_000)} min behind the newest audit record`,
              fix: "enable time sync; timestamps, pairing codes and token expiry depend on it",
            }
          : { id: "doctor.clock", status: "ok", message: `clock ${new Date(now).toISOString()}` },
    );
    return out;
  } finally {
    store.close();
  }
};

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Stale gateway lock (dead pid), and whether the port is free or held by this gateway. */
export const checkLockAndPort: DoctorCheck = async (ctx) => {
  const file = join(ctx.paths.stateDir, "gateway.lock");
  let lock: { pid?: number; port?: number; host?: string } | undefined;
  try {
    lock = JSON.parse(readFileSync(file, "utf8")) as typeof lock;
  } catch {
    lock = existsSync(file) ? {} : undefined;
  }
  const out: DoctorResult[] = [];
  const alive = typeof lock?.pid === "number" && lock.pid > 0 && pidAlive(lock.pid);
  if (lock && !alive) {
    if (ctx.fix) {
      rmSync(file, { force: true });
      out.push({
        id: "doctor.gateway_lock",
        status: "ok",
        message: "removed a stale gateway lock",
        repaired: [`removed ${file} (pid ${lock.pid ?? "?"} is not running)`],
      });
    } else
      out.push({
        id: "doctor.gateway_lock",
        status: "warn",
        message: `stale lock: pid ${lock.pid ?? "?"} is not running`,
        fix: "run `palisade doctor --fix` (a starting gateway also takes it over)",
      });
  } else
    out.push({
      id: "doctor.gateway_lock",
      status: "ok",
      message: lock ? `held by running gateway pid ${lock.pid}` : "no gateway running",
    });
  const gw = ctx.config?.gateway;
  const port = gw?.port ?? 18_789;
  if (alive && lock?.port !== undefined)
    out.push({
      id: "doctor.port",
      status: "ok",
      message: `port ${lock.port} is held by this gateway (pid ${lock.pid})`,
    });
  else {
    const host = gw?.bind === "custom" && gw.customBindHost ? gw.customBindHost : "127.0.0.1";
    out.push(
      (await portFree(port, host))
        ? { id: "doctor.port", status: "ok", message: `port ${port} on ${host} is free` }
        : {
            id: "doctor.port",
            status: "fail",
            message: `port ${port} on ${host} is used by another process`,
            fix: "stop it or set gateway.port",
          },
    );
  }
  return out;
};
