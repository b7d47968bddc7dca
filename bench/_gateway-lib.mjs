// Shared helpers for benchmarks that talk to a real gateway process over the real protocol.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";

export const root = new URL("..", import.meta.url).pathname;
export const nodeBin = join(root, "node_modules", ".bin", "node");

/**
 * Extra node flags for the gateway process, opt-in for diagnosis, e.g.
 * `BENCH_GATEWAY_NODE_ARGS="--trace-gc --heapsnapshot-signal=SIGUSR2"` (split on whitespace).
 * Empty by default, so a bench measures the gateway as users start it.
 */
export const gatewayNodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);

/** Starts `palisade gateway run` on a fresh state dir and a free port; resolves when it listens. */
export function startGateway({ config = {}, env = {} } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "pal-bench-"));
  writeFileSync(join(stateDir, "palisade.json"), JSON.stringify(config), { mode: 0o600 });
  const t0 = performance.now();
  const child = spawn(
    nodeBin,
    [
      ...gatewayNodeArgs,
      join(root, "bin", "palisade.js"),
      "--state-dir",
      stateDir,
      "gateway",
      "run",
      "--port",
      "0",
    ],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) {
        const token = readFileSync(join(stateDir, "credentials", "gateway.token"), "utf8").trim();
        resolve({ child, url: m[1], token, stateDir, spawnedAt: t0, listeningAt: performance.now() });
      }
    });
    child.on("exit", (code) => reject(new Error(`gateway exited ${code}: ${stderr}`)));
  });
}

/** Opens a connection and completes OpenClaw's handshake; resolves with a tiny RPC client. */
export function connect(url, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map();
    let n = 0;
    const call = (method, params) =>
      new Promise((res, rej) => {
        const id = String(++n);
        pending.set(id, { res, rej });
        ws.send(
          JSON.stringify(
            params === undefined ? { type: "req", id, method } : { type: "req", id, method, params },
          ),
        );
      });
    ws.on("message", (data) => {
      const f = JSON.parse(String(data));
      if (f.type === "event" && f.event === "connect.challenge") {
        call("connect", {
          minProtocol: 4,
          maxProtocol: 4,
          client: { id: "cli", version: "bench", platform: process.platform, mode: "cli" },
          role: "operator",
          scopes: ["operator.read"],
          caps: [],
          auth: { token },
        }).then(() => resolve({ call, close: () => ws.close() }), reject);
      } else if (f.type === "res") {
        const p = pending.get(f.id);
        if (p) {
          pending.delete(f.id);
          f.ok ? p.res(f.payload) : p.rej(new Error(JSON.stringify(f.error)));
        }
      }
    });
    ws.on("error", reject);
  });
}

/** Resident set size of a pid in MiB, from /proc. */
export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
}

/** Percentile of a sorted-on-demand sample. */
export function pct(sample, p) {
  const s = [...sample].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Stops the gateway with SIGTERM and waits for it to exit. */
export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}
