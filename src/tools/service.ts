/**
 * The tool service the agent runtime plugs in: for each agent and session it offers exactly the
 * tools the policy allows (wrapped so that every call is re-checked against the current policy
 * and recorded in the audit log), and it refuses and audits calls to tools that were not
 * offered. It owns the approval flow and the background process registry.
 */
import type { Tool, ToolContext } from "../agent/index.js";
import { PalisadeError } from "../core/errors.js";
import { SandboxManager } from "../sandbox/index.js";
import { appendAudit, type Store } from "../store/index.js";
import { type ApprovalEmit, ExecApprovals } from "./approvals.js";
import { buildTools, TOOL_NAMES, TOOL_RISK, type ToolName } from "./catalog.js";
import { type MessageSender, type SessionsPort, sessionRef, type ToolDeps } from "./context.js";
import type { Resolver } from "./net/safe-fetch.js";
import { type AgentToolPolicy, resolveAgentToolPolicy, type ToolsConfigView } from "./policy.js";
import { ProcessRegistry } from "./process-registry.js";

/** Options of {@link createToolService}. */
export interface ToolServiceOptions {
  readonly config: ToolsConfigView;
  readonly stateDir: string;
  readonly store: Store;
  /** Default: a manager over docker then bwrap for `config.agents`. */
  readonly sandboxes?: SandboxManager | undefined;
  /** web_fetch DNS (tests map made-up names). Default the system resolver. */
  readonly resolve?: Resolver | undefined;
  /** web_fetch address policy; default public addresses only. A test seam, never config. */
  readonly addressPolicy?: ((address: string) => string | undefined) | undefined;
  readonly emit?: ApprovalEmit | undefined;
  readonly now?: (() => number) | undefined;
}

/** A running tool service. */
export interface ToolService {
  /** Tools offered to an agent in a session (the runtime's `tools` hook). */
  toolsFor(ctx: { agentId: string; sessionKey: string }): readonly Tool[];
  /** Refuses and audits a call to a tool that was not offered; returns the text for the model. */
  refuse(
    ctx: { agentId: string; sessionKey: string; runId?: string | undefined },
    call: { toolCallId: string; toolName: string; input: unknown },
  ): string;
  readonly approvals: ExecApprovals;
  readonly sandboxes: SandboxManager;
  /** The resolved policy of an agent. */
  policy(agentId: string): AgentToolPolicy;
  /** Applies a reloaded config (policies are re-resolved on next use). */
  reconfigure(config: ToolsConfigView): void;
  /** Connects the sessions_* tools to the agent service. */
  setSessions(port: SessionsPort): void;
  /** Connects the message tool to the channels. */
  setMessageSender(sender: MessageSender): void;
  /**
   * A session ended (reset or deleted): its background runs are killed and its session-scoped
   * sandbox destroyed (agent and shared scopes live on).
   */
  endSession(ref: { agentId: string; sessionKey: string }): Promise<void>;
  /** Kills background runs and denies pending approvals. */
  close(): void;
  /** {@link close}, then destroys every sandbox of this service (gateway stop). */
  shutdown(): Promise<void>;
}

/**
 * Codes that mean "refused" (a rule said no) rather than "failed", for the audit's decision:
 * FORBIDDEN errors plus refusals that map to other wire codes.
 */
const REFUSALS = new Set([
  "PAL_SANDBOX_UNAVAILABLE",
  "PAL_SANDBOX_POLICY_REFUSED",
  "PAL_SANDBOX_PATH_REFUSED",
  "PAL_TOOL_PATH_REFUSED",
  "PAL_TOOL_URL_REFUSED",
  "PAL_TOOL_ENV_REFUSED",
  "PAL_TOOL_APPROVAL_MISMATCH",
]);

/** The exit code of an exec-like result, for the audit (a sandbox that stopped a command shows here). */
function exitCodeOf(v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null) return {};
  const r = v as { exitCode?: unknown; status?: unknown };
  return typeof r.exitCode === "number" ? { exitCode: r.exitCode, status: r.status } : {};
}

/** Bytes of a tool result as the model sees it. */
function resultSize(v: unknown): number {
  if (typeof v === "string") return Buffer.byteLength(v);
  try {
    return Buffer.byteLength(JSON.stringify(v) ?? "");
  } catch {
    return 0;
  }
}

/** Arguments as audited: long strings cut (the audit log redacts secrets itself). */
function auditArgs(v: unknown): unknown {
  if (typeof v === "string") return v.length > 500 ? `${v.slice(0, 500)}…(${v.length} chars)` : v;
  if (Array.isArray(v)) return v.slice(0, 20).map(auditArgs);
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(
      Object.entries(v)
        .slice(0, 30)
        .map(([k, x]) => [k, auditArgs(x)]),
    );
  return v;
}

/** Builds the tool service. */
export function createToolService(opts: ToolServiceOptions): ToolService {
  let config = opts.config;
  const now = opts.now ?? Date.now;
  const policies = new Map<string, AgentToolPolicy>();
  const policy = (agentId: string) => {
    let p = policies.get(agentId);
    if (p === undefined) {
      p = resolveAgentToolPolicy(config, agentId);
      policies.set(agentId, p);
    }
    return p;
  };
  const sandboxes = opts.sandboxes ?? new SandboxManager({ agents: config.agents, stateDir: opts.stateDir });
  let sessions: SessionsPort | undefined;
  let sender: MessageSender | undefined;
  const approvals = new ExecApprovals({ store: opts.store, emit: opts.emit, now });
  const processes = new ProcessRegistry(now);
  const deps: ToolDeps = {
    config: () => config,
    stateDir: opts.stateDir,
    policy,
    get sandboxes() {
      return sandboxes;
    },
    approvals,
    processes,
    resolve: opts.resolve,
    addressPolicy: opts.addressPolicy,
    messageSender: () => sender,
    sessions: () => sessions,
    now,
  };
  const tools = buildTools(deps);

  const audit = (
    agentId: string,
    sessionKey: string,
    detail: Record<string, unknown>,
    severity: "info" | "warn",
  ) =>
    appendAudit(opts.store, {
      type: "tool.call",
      actor: `agent:${agentId}`,
      subject: sessionKey,
      detail,
      severity,
    });

  // Whether an agent's main / other sessions run sandboxed, per config (reconfigure clears it):
  // placement hashes the sandbox policy, and it was asked on every run and every tool call.
  const placements = new Map<string, boolean>();
  const allowedIn = (agentId: string, sessionKey: string): ReadonlySet<ToolName> => {
    const p = policy(agentId);
    const ref = sessionRef(config, { agentId, sessionKey });
    const key = `${ref.main ? "main" : "other"}:${agentId}`;
    let sandboxed = placements.get(key);
    if (sandboxed === undefined) {
      sandboxed = sandboxes.place(ref).sandboxed;
      placements.set(key, sandboxed);
    }
    return sandboxed ? p.allowedSandboxed : p.allowed;
  };

  const wrap = (tool: Tool, name: ToolName): Tool => ({
    ...tool,
    async execute(ctx: ToolContext, args: unknown) {
      const agentId = String(ctx.extra.agentId ?? "");
      const sessionKey = String(ctx.extra.sessionKey ?? "");
      const base = {
        tool: name,
        risk: TOOL_RISK[name],
        toolCallId: ctx.toolCallId,
        runId: ctx.extra.runId,
        args: auditArgs(args),
      };
      const started = now();
      if (!allowedIn(agentId, sessionKey).has(name)) {
        // The policy changed (hot reload) between offering the tool and the call.
        const text = service.refuse(
          { agentId, sessionKey },
          { toolCallId: ctx.toolCallId, toolName: name, input: args },
        );
        throw new Error(text);
      }
      try {
        const result = await tool.execute(ctx, args as never);
        audit(
          agentId,
          sessionKey,
          {
            ...base,
            decision: "allowed",
            ok: true,
            resultBytes: resultSize(result),
            ...exitCodeOf(result),
            durationMs: now() - started,
          },
          name === "exec" ? "warn" : "info",
        );
        return result;
      } catch (err) {
        const code = err instanceof PalisadeError ? err.code : "error";
        const refused =
          err instanceof PalisadeError && (err.wireCode === "FORBIDDEN" || REFUSALS.has(err.code));
        audit(
          agentId,
          sessionKey,
          {
            ...base,
            decision: refused ? "refused" : "failed",
            ok: false,
            code,
            error: err instanceof PalisadeError ? err.message : "tool error",
            durationMs: now() - started,
          },
          refused ? "warn" : "info",
        );
        throw err;
      }
    },
  });

  // The offered list per allowed set (a policy's sets live until reconfigure), so a run gets
  // the same wrapped tool objects as the last one instead of wrapping every tool again.
  const wrapped = new Map<ToolName, Tool>();
  const offered = new WeakMap<ReadonlySet<ToolName>, { messageOn: boolean; list: readonly Tool[] }>();

  const service: ToolService = {
    toolsFor({ agentId, sessionKey }) {
      const allowed = allowedIn(agentId, sessionKey);
      const messageOn = (config.tools?.message?.allowTargets ?? []).length > 0;
      const hit = offered.get(allowed);
      if (hit !== undefined && hit.messageOn === messageOn) return hit.list;
      const out: Tool[] = [];
      for (const n of TOOL_NAMES) {
        if (!allowed.has(n)) continue;
        if (n === "message" && !messageOn) continue;
        const t = tools.get(n);
        if (t === undefined) continue;
        let w = wrapped.get(n);
        if (w === undefined) {
          w = wrap(t, n);
          wrapped.set(n, w);
        }
        out.push(w);
      }
      offered.set(allowed, { messageOn, list: out });
      return out;
    },
    refuse({ agentId, sessionKey, runId }, call) {
      const known = (TOOL_NAMES as readonly string[]).includes(call.toolName);
      const reason = known
        ? (policy(agentId).reasons.get(call.toolName as ToolName) ??
          "not offered in this session (sandbox tool policy)")
        : "no such tool";
      audit(
        agentId,
        sessionKey,
        {
          tool: call.toolName.slice(0, 64),
          toolCallId: call.toolCallId,
          runId,
          args: auditArgs(call.input),
          decision: "refused",
          code: known ? "PAL_TOOL_DENIED" : "unknown_tool",
          reason,
        },
        "warn",
      );
      return known
        ? `Tool "${call.toolName}" is not allowed for this agent (${reason}). Do not call it again.`
        : `Unknown tool "${call.toolName.slice(0, 64)}".`;
    },
    approvals,
    get sandboxes() {
      return sandboxes;
    },
    policy,
    reconfigure(next) {
      config = next;
      policies.clear();
      placements.clear();
      // The manager keeps its sandboxes; those whose agent's sandbox settings changed go.
      void sandboxes.reconfigure(config.agents).catch(() => {});
    },
    async endSession(ref) {
      for (const r of processes.list(ref.sessionKey)) r.ctrl.abort();
      await sandboxes.endSession(sessionRef(config, ref));
    },
    setSessions(port) {
      sessions = port;
    },
    setMessageSender(s) {
      sender = s;
    },
    close() {
      processes.killAll();
      approvals.close();
    },
    async shutdown() {
      service.close();
      await sandboxes.shutdown();
    },
  };
  return service;
}
