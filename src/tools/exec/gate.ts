/**
 * Decides whether a command may run as asked: elevated mode, `tools.exec.security`, `ask`, the
 * allowlist (every unwrapped command must match) and standing approvals; waits for an operator
 * when needed; and re-checks the binding right before the run so that anything changed after
 * the approval (argv, cwd, env, script contents) needs a new one.
 */
import { fail } from "../../core/errors.js";
import type { CallContext, ToolDeps } from "../context.js";
import type { Jail } from "../fs/jail.js";
import { allowlistHit } from "./allowlist.js";
import { analyzeCommand } from "./analyze.js";
import { bindingDiff, bindingHash, type ExecBinding, hashScripts, scriptPaths } from "./binding.js";

/** What the exec tool asks the gate about. */
export interface GateInput {
  readonly command: string;
  readonly argv: readonly string[];
  /** Working dir relative to the jail root ("" for the root). */
  readonly cwdRel: string;
  /** The cwd as the command sees it (sandbox path or host path). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly elevated: boolean;
  /** Runs on the gateway host (unsandboxed session, tools.exec.host "gateway", or elevated). */
  readonly onHost: boolean;
  readonly signal: AbortSignal;
}

/** A decision to run. */
export interface GateDecision {
  readonly host: "sandbox" | "host";
  /** The approval that allowed it: an approval id, "standing:<id>", "allowlist", "policy". */
  readonly approvedBy: string;
  readonly binding: ExecBinding;
  /** Re-checks the binding (script contents may have changed while waiting). */
  verify(): Promise<void>;
}

async function makeBinding(
  call: CallContext,
  jail: Jail,
  input: GateInput,
  host: "sandbox" | "host",
  commands: readonly (readonly string[])[],
): Promise<ExecBinding> {
  return {
    agentId: call.agentId,
    command: input.command,
    argv: [...input.argv],
    cwd: input.cwd,
    env: { ...input.env },
    host,
    elevated: input.elevated,
    scripts: await hashScripts(jail, input.cwdRel, scriptPaths(commands)),
  };
}

/** Runs the exec policy for one call; throws a typed refusal or returns how to run. */
export async function gateExec(
  deps: ToolDeps,
  call: CallContext,
  jail: Jail,
  input: GateInput,
): Promise<GateDecision> {
  const { exec, elevated } = call.policy;
  if (exec.security === "deny")
    throw fail("PAL_TOOL_EXEC_REFUSED", { reason: 'tools.exec.security is "deny"' });
  if (input.elevated && !elevated.allowed)
    throw fail("PAL_TOOL_ELEVATED_REFUSED", { agentId: call.agentId, reason: elevated.why });
  const host = input.onHost ? "host" : "sandbox";
  const analysis = analyzeCommand(input.command);
  const commands = analysis.ok ? analysis.commands : [];
  const binding = await makeBinding(call, jail, input, host, commands);
  const hash = bindingHash(binding);

  let why: string | undefined;
  if (exec.ask === "always") why = 'tools.exec.ask is "always"';
  else if (input.elevated && elevated.requireApproval)
    why = "elevated commands need an approval (tools.elevated.requireApproval)";
  else if (host === "host" && exec.security === "allowlist") {
    if (!analysis.ok) why = `the command cannot be analysed (${analysis.reason})`;
    else {
      const hit = allowlistHit(commands, exec.allowlist, exec.safeBins);
      if (!hit.hit) why = `"${(hit.miss ?? []).join(" ").slice(0, 120)}" is not in the allowlist`;
    }
  }
  const verify = async () => {
    const now = await makeBinding(call, jail, input, host, commands);
    if (bindingHash(now) !== hash)
      throw fail("PAL_TOOL_APPROVAL_MISMATCH", { id: "-", detail: bindingDiff(binding, now) });
  };
  if (why === undefined) {
    const by = host === "sandbox" ? "policy" : exec.security === "full" ? "policy" : "allowlist";
    return { host, approvedBy: by, binding, verify };
  }
  const standing = deps.approvals.standing(call.agentId, hash);
  if (standing !== undefined) return { host, approvedBy: `standing:${standing.id}`, binding, verify };
  if (exec.ask === "off" && !(input.elevated && elevated.requireApproval))
    throw fail("PAL_TOOL_EXEC_REFUSED", { reason: `${why}, and tools.exec.ask is "off"` });
  const { id, outcome } = await deps.approvals.request({
    agentId: call.agentId,
    sessionKey: call.sessionKey,
    bindingHash: hash,
    timeoutMs: exec.approvalTimeoutMs,
    signal: input.signal,
    request: {
      command: input.command,
      cwd: input.cwd,
      host: host === "sandbox" ? "sandbox" : "gateway",
      security: exec.security,
      ask: exec.ask,
      resolvedPath: null,
      argv: binding.argv,
      env: binding.env,
      elevated: input.elevated,
      scripts: binding.scripts,
      reason: why,
    },
  });
  if (outcome !== "allow-once" && outcome !== "allow-always")
    throw fail("PAL_TOOL_APPROVAL_DENIED", {
      id,
      outcome: outcome === "expired" ? "expired (treated as denied)" : "denied",
    });
  return {
    host,
    approvedBy: id,
    binding,
    verify: async () => {
      const now = await makeBinding(call, jail, input, host, commands);
      if (bindingHash(now) !== hash)
        throw fail("PAL_TOOL_APPROVAL_MISMATCH", { id, detail: bindingDiff(binding, now) });
    },
  };
}
