/**
 * `exec`: runs a shell command (OpenClaw's parameters: command, workdir, env, timeout in
 * seconds, background, yieldMs, elevated). Sandboxed sessions run in their sandbox; others, and
 * elevated calls, run on the host only after the exec gate (allowlist or an approval) and with an
 * elevated grant. The environment is clean; output is capped.
 */
import { z } from "zod";
import { defineTool, type Tool } from "../../agent/index.js";
import { fail } from "../../core/errors.js";
import {
  type ExecResult,
  HostBackend,
  issueElevatedGrant,
  SANDBOX_WORKSPACE,
  type Sandbox,
} from "../../sandbox/index.js";
import { type CallContext, callContext, type ToolDeps } from "../context.js";
import { checkModelEnv, execEnvironment } from "../exec/env.js";
import { gateExec } from "../exec/gate.js";
import { MAX_COMMAND_CHARS } from "../exec/shell-words.js";
import { jailComponents } from "../fs/jail.js";

const params = z
  .object({
    command: z.string().min(1).max(MAX_COMMAND_CHARS).describe("Shell command to run."),
    workdir: z
      .string()
      .max(4096)
      .optional()
      .describe("Working directory inside the workspace (default its root)."),
    cwd: z.string().max(4096).optional().describe("Alias of workdir."),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe("Extra environment variables (PATH, LD_*, ... are refused)."),
    timeout: z.int().min(1).max(86_400).optional().describe("Kill the command after this many seconds."),
    background: z
      .boolean()
      .optional()
      .describe("Run in the background at once; poll it with the process tool."),
    yieldMs: z.int().min(0).max(3_600_000).optional().describe("Move to the background after this many ms."),
    elevated: z
      .boolean()
      .optional()
      .describe("Run on the host outside the sandbox (needs elevated mode and usually an approval)."),
  })
  .strict();

/** What a finished command reports to the model. */
export function execSummary(r: ExecResult, approvedBy: string): Record<string, unknown> {
  return {
    status: r.timedOut ? "timeout" : r.exitCode === 0 ? "completed" : "failed",
    exitCode: r.exitCode,
    ...(r.signal === undefined ? {} : { signal: r.signal }),
    stdout: r.stdout,
    stderr: r.stderr,
    truncated: r.truncated,
    durationMs: r.durationMs,
    approvedBy,
  };
}

/** The exec tool. */
export function execTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "exec",
    description:
      "Run a shell command in the workspace. Commands outside the allowlist wait for an operator's approval. Returns exit code, stdout and stderr.",
    params,
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      const where = call.policy.exec.host;
      if (where === "node")
        throw fail("PAL_TOOL_EXEC_REFUSED", {
          reason: 'tools.exec.host is "node" and no node runs commands yet; use "sandbox" or "gateway"',
        });
      const elevated = args.elevated === true;
      // Host runs (unsandboxed session, tools.exec.host "gateway", elevated) use the agent
      // workspace; sandboxed ones the sandbox's view of it (maybe a private dir).
      const inSandbox = call.sandboxed && !elevated && where === "sandbox";
      const jail = inSandbox ? await call.jail() : await call.hostJail();
      const env = checkModelEnv(args.env);
      const cwdRel = jailComponents(jail, args.workdir ?? args.cwd ?? "").join("/");
      const cwd = inSandbox
        ? `${SANDBOX_WORKSPACE}${cwdRel === "" ? "" : `/${cwdRel}`}`
        : `${call.workspace}${cwdRel === "" ? "" : `/${cwdRel}`}`;
      const argv = ["/bin/sh", "-c", args.command];
      const decision = await gateExec(deps, call, jail, {
        command: args.command,
        argv,
        cwdRel,
        cwd,
        env,
        elevated,
        onHost: !inSandbox,
        signal: ctx.signal,
      });
      let target: Sandbox;
      if (decision.host === "sandbox") target = await call.sandbox();
      else {
        const grant = issueElevatedGrant({
          agentId: call.agentId,
          approvalId: decision.approvedBy,
          approved: true,
        });
        const settings = deps.sandboxes.settingsFor(call.agentId);
        target = await new HostBackend(grant).create(`host:${call.agentId}`, {
          ...settings.policy,
          agentWorkspace: call.workspace,
        });
      }
      await decision.verify();
      const exec = call.policy.exec;
      const fullEnv = execEnvironment(env, {
        home: inSandbox ? SANDBOX_WORKSPACE : call.workspace,
        pathPrepend: deps.config().tools?.exec?.pathPrepend,
      });
      const timeoutMs = Math.min(exec.timeoutMs, (args.timeout ?? exec.timeoutMs / 1000) * 1000);
      const offered = call.sandboxed ? call.policy.allowedSandboxed : call.policy.allowed;
      // With the process tool offered, a command still running after yieldMs (default
      // tools.exec.backgroundMs) moves to the background instead of holding the turn.
      const yieldMs = offered.has("process")
        ? args.background
          ? 0
          : (args.yieldMs ?? exec.backgroundMs)
        : undefined;
      const explicit = args.background === true || args.yieldMs !== undefined;
      const run = yieldMs === undefined ? undefined : startRun(deps, call, args.command, explicit);
      const decode = (c: Buffer) => run && deps.processes.append(run, c.toString("utf8"));
      const p = target.exec(argv, {
        cwd,
        env: fullEnv,
        timeoutMs,
        maxOutputBytes: exec.maxOutputBytes,
        signal: run ? run.ctrl.signal : ctx.signal,
        ...(run ? { onStdout: decode, onStderr: decode } : {}),
      });
      if (run === undefined) return execSummary(await p, decision.approvedBy);
      p.then(
        (r) => deps.processes.finish(run, r),
        (err: unknown) =>
          deps.processes.finish(run, {
            exitCode: -1,
            stdout: "",
            stderr: String((err as Error).message ?? err),
            truncated: false,
            timedOut: false,
            durationMs: 0,
          }),
      );
      // Until it moves to the background, aborting the agent run kills the command.
      const stop = () => run.ctrl.abort();
      ctx.signal.addEventListener("abort", stop, { once: true });
      const done = await Promise.race([
        p.then(
          () => true,
          () => true,
        ),
        new Promise<false>((r) => setTimeout(() => r(false), yieldMs).unref?.()),
      ]).finally(() => ctx.signal.removeEventListener("abort", stop));
      if (done && run.result !== undefined) {
        deps.processes.remove(run.id);
        return execSummary(run.result, decision.approvedBy);
      }
      return {
        status: "running",
        sessionId: run.id,
        tail: run.output.slice(-2000),
        approvedBy: decision.approvedBy,
      };
    },
  });
}

/**
 * Registers a background run; when the session is at its limit, an explicit background request
 * fails and an automatic one runs in the foreground instead (undefined).
 */
function startRun(deps: ToolDeps, call: CallContext, command: string, explicit: boolean) {
  try {
    return deps.processes.start({ agentId: call.agentId, sessionKey: call.sessionKey, command });
  } catch (err) {
    if (explicit) throw err;
    return undefined;
  }
}

/** Thrown when a process id does not belong to the session. */
export const processNotFound = (id: string) =>
  fail("PAL_TOOL_PROCESS_NOT_FOUND", { id: JSON.stringify(id.slice(0, 32)) });
