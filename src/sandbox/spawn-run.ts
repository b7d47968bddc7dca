/** Runs a host process in its own process group with capped, streamed output and a hard timeout. */
import { spawn } from "node:child_process";
import { fail } from "../core/errors.js";
import { armStop, CappedBuffer, signalFromExitCode } from "./output.js";
import type { BackendName, ExecOptions, ExecResult } from "./types.js";

/** Spawn settings besides the command. */
export interface SpawnRunOptions {
  /** Backend name for errors. */
  readonly backend: BackendName;
  /** Host working dir. */
  readonly cwd?: string;
  /** The full environment of the child. */
  readonly env: Record<string, string>;
  /** Called with the pid once spawned (so the owner can kill it on destroy) and with undefined at the end. */
  readonly track?: (pid: number, alive: boolean) => void;
}

/**
 * Spawns `file args` detached (its own process group) and kills the whole group with SIGKILL
 * on timeout, abort or output past the cap. Backends that need more (bwrap's PID namespace)
 * put that inside the command.
 */
export function spawnRun(
  file: string,
  args: readonly string[],
  opts: ExecOptions,
  run: SpawnRunOptions,
): Promise<ExecResult> {
  const started = performance.now();
  const child = spawn(file, args, {
    detached: true,
    stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    env: run.env,
    ...(run.cwd === undefined ? {} : { cwd: run.cwd }),
  });
  const pid = child.pid;
  if (pid !== undefined) run.track?.(pid, true);
  const out = new CappedBuffer(opts.maxOutputBytes, opts.onStdout);
  const err = new CappedBuffer(opts.maxOutputBytes, opts.onStderr);
  const stopper = armStop(opts.timeoutMs, opts.signal, () => killGroup(pid));
  child.stdout?.on("data", (c: Buffer) => {
    if (!out.push(c)) stopper.fire("output");
  });
  child.stderr?.on("data", (c: Buffer) => {
    if (!err.push(c)) stopper.fire("output");
  });
  if (opts.stdin !== undefined) {
    child.stdin?.on("error", () => {});
    child.stdin?.end(opts.stdin);
  }
  return new Promise<ExecResult>((resolve, reject) => {
    child.on("error", (e) => {
      stopper.dispose();
      if (pid !== undefined) run.track?.(pid, false);
      reject(
        fail("PAL_SANDBOX_BACKEND_FAILED", {
          backend: run.backend,
          action: "start a command",
          detail: e.message,
        }),
      );
    });
    child.on("close", (code, sig) => {
      stopper.dispose();
      // anything left in the group (a background child holding no pipe) goes too
      killGroup(pid);
      if (pid !== undefined) run.track?.(pid, false);
      const reason = stopper.reason();
      const exitCode = code ?? (sig === "SIGKILL" ? 137 : 143);
      const signal = reason ? "SIGKILL" : (sig ?? signalFromExitCode(exitCode));
      resolve({
        exitCode,
        ...(signal ? { signal } : {}),
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.overflowed || err.overflowed,
        timedOut: reason === "timeout",
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** SIGKILLs a process group; ignores a group that is already gone. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
