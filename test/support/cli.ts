import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Repo root. */
export const ROOT = join(import.meta.dirname, "..", "..");
/** The built CLI entry (vitest's global setup builds dist/). */
export const CLI = join(ROOT, "bin", "palisade.js");

/** A fresh private state dir, optionally with a config file. */
export function tempStateDir(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "pal-test-"));
  if (config !== undefined) {
    writeFileSync(join(dir, "palisade.json"), typeof config === "string" ? config : JSON.stringify(config), {
      mode: 0o600,
    });
  }
  return dir;
}

/** Environment for child CLIs: no inherited PALISADE_* settings. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("PALISADE_") && !k.startsWith("OPENCLAW_")) env[k] = v;
  return { ...env, ...extra };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: cleanEnv(opts.env),
    encoding: "utf8",
    input: opts.input ?? "",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI without blocking the event loop (for tests that serve something in-process). */
export function runCliAsync(args: string[], opts: { env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: cleanEnv(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A gateway process started with `gateway run`. */
export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `palisade gateway run` and resolves once it prints its `listening on` line (rejects
 * with its output if it exits first).
 */
export function startGatewayProcess(
  stateDir: string,
  args: string[] = ["--port", "0"],
  env: Record<string, string> = {},
) {
  const child = spawn(process.execPath, [CLI, "--state-dir", stateDir, "gateway", "run", ...args], {
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise<GatewayProcess>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        child.stdout?.off("data", onData);
        resolve({
          child,
          url: m[1],
          stdout: () => out,
          stderr: () => err,
          exited,
          stop: (signal = "SIGTERM") => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout?.on("data", onData);
    exited.then((code) =>
      reject(new Error(`gateway exited ${code} before listening\nstdout: ${out}\nstderr: ${err}`)),
    );
  });
}

/** Runs `fn` with a gateway, always stopping it. */
export async function withGateway<T>(
  stateDir: string,
  fn: (gw: GatewayProcess) => Promise<T>,
  args?: string[],
): Promise<T> {
  const gw = await startGatewayProcess(stateDir, args);
  try {
    return await fn(gw);
  } finally {
    await gw.stop("SIGKILL");
  }
}
