/** One command in a running sandbox container over the Engine API exec endpoints. */
import { type Duplex, PassThrough } from "node:stream";
import type Docker from "dockerode";
import { armStop, CappedBuffer, type StopReason, signalFromExitCode } from "../output.js";
import { type ExecOptions, type ExecResult, SANDBOX_WORKSPACE } from "../types.js";
import { SANDBOX_PATH } from "./container-spec.js";

/**
 * Runs argv with `docker exec` semantics. On timeout, abort or runaway output it calls
 * `killAll`, which must leave nothing of the run alive (the backend restarts the container:
 * Docker has no API to kill an exec's process tree, and a process can leave its group).
 */
export async function dockerExec(
  docker: Docker,
  container: Docker.Container,
  user: string,
  argv: readonly string[],
  opts: ExecOptions,
  killAll: () => Promise<void>,
): Promise<ExecResult> {
  const started = performance.now();
  const env = { PATH: SANDBOX_PATH, HOME: SANDBOX_WORKSPACE, ...opts.env };
  const withStdin = opts.stdin !== undefined;
  const exec = await container.exec({
    Cmd: [...argv],
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: withStdin,
    Tty: false,
    User: user,
    WorkingDir: opts.cwd ?? SANDBOX_WORKSPACE,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
  });
  const stream = (await exec.start({
    hijack: withStdin,
    stdin: withStdin,
    Detach: false,
    Tty: false,
  })) as Duplex;
  const out = new CappedBuffer(opts.maxOutputBytes, opts.onStdout);
  const err = new CappedBuffer(opts.maxOutputBytes, opts.onStderr);
  let killing: Promise<void> | undefined;
  const stopper = armStop(opts.timeoutMs, opts.signal, () => {
    killing = killAll().catch(() => {});
    stream.destroy();
  });
  const sink = (buf: CappedBuffer) => {
    const pt = new PassThrough();
    pt.on("data", (c: Buffer) => {
      if (!buf.push(c)) stopper.fire("output");
    });
    return pt;
  };
  docker.modem.demuxStream(stream, sink(out), sink(err));
  if (withStdin) stream.end(opts.stdin);
  await new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
  stopper.dispose();
  const reason: StopReason | undefined = stopper.reason();
  if (killing) await killing;
  let exitCode = -1;
  if (!reason) {
    for (let i = 0; i < 50; i++) {
      const info = await exec.inspect();
      if (!info.Running) {
        exitCode = info.ExitCode ?? -1;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } else exitCode = 137;
  const signal = reason ? "SIGKILL" : signalFromExitCode(exitCode);
  return {
    exitCode,
    ...(signal ? { signal } : {}),
    stdout: out.text(),
    stderr: err.text(),
    truncated: out.overflowed || err.overflowed,
    timedOut: reason === "timeout",
    durationMs: Math.round(performance.now() - started),
  };
}
