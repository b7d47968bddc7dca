/**
 * What the built-in tools share: resolved policy per agent, the sandbox manager, the approval
 * flow, background processes, injected I/O (DNS, message sender, sessions), and the per-call
 * context (agent, session, where files and commands live).
 */
import type { ToolContext } from "../agent/index.js";
import { fail } from "../core/errors.js";
import { agentWorkspace, SANDBOX_WORKSPACE, type Sandbox, type SandboxManager } from "../sandbox/index.js";
import type { ExecApprovals } from "./approvals.js";
import { type Jail, makeJail } from "./fs/jail.js";
import type { Resolver } from "./net/safe-fetch.js";
import type { AgentToolPolicy, ToolsConfigView } from "./policy.js";
import type { ProcessRegistry } from "./process-registry.js";

/** Sends a message to a channel target (the channels registry implements it). */
export interface MessageSender {
  /** Channel ids that can send now. */
  channels(): readonly string[];
  send(input: {
    channel: string;
    target: string;
    text: string;
    accountId?: string | undefined;
  }): Promise<{ messageId?: string | undefined }>;
}

/** The session operations the sessions_* tools need (the agent service implements it). */
export interface SessionsPort {
  list(
    agentId: string,
    limit: number,
  ): Promise<readonly Record<string, unknown>[]> | readonly Record<string, unknown>[];
  /** The session's agent id, or undefined when it does not exist. */
  ownerOf(key: string): string | undefined;
  history(
    key: string,
    limit: number,
  ): Promise<readonly { role: string; text: string }[]> | readonly { role: string; text: string }[];
  send(key: string, message: string, timeoutMs: number): Promise<Record<string, unknown>>;
}

/** Service-wide dependencies of the built-in tools. */
export interface ToolDeps {
  config(): ToolsConfigView;
  readonly stateDir: string;
  policy(agentId: string): AgentToolPolicy;
  readonly sandboxes: SandboxManager;
  readonly approvals: ExecApprovals;
  readonly processes: ProcessRegistry;
  readonly resolve?: Resolver | undefined;
  readonly addressPolicy?: ((address: string) => string | undefined) | undefined;
  messageSender(): MessageSender | undefined;
  sessions(): SessionsPort | undefined;
  readonly now: () => number;
}

/** Who is calling and where their files and commands live. */
export interface CallContext {
  readonly agentId: string;
  readonly sessionKey: string;
  readonly runId: string | undefined;
  readonly policy: AgentToolPolicy;
  /** Whether the session's tools run in a sandbox. */
  readonly sandboxed: boolean;
  /** Host dir of the agent workspace. */
  readonly workspace: string;
  /** The sandbox (created on first use) when sandboxed. */
  sandbox(): Promise<Sandbox>;
  /** The fs jail: the workspace, or the sandbox's private workspace; read-only when mounted ro. */
  jail(): Promise<Jail>;
  /** The jail of the agent workspace on the host (host and elevated exec). */
  hostJail(): Promise<Jail>;
}

/**
 * The sandbox manager's view of a session: the agent's main session is `agent:<id>:<mainKey>`
 * (session.mainKey, default "main"), which sandbox mode non-main leaves unsandboxed.
 */
export function sessionRef(
  config: ToolsConfigView,
  ref: { agentId: string; sessionKey: string },
): { agentId: string; sessionKey: string; main: boolean } {
  const mainKey = (config.session?.mainKey ?? "main").toLowerCase();
  const key = ref.sessionKey.toLowerCase();
  return { ...ref, main: key === `agent:${ref.agentId.toLowerCase()}:${mainKey}` || key === mainKey };
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** Builds the call context from the runner's `ctx.extra` (agentId, sessionKey, runId). */
export function callContext(deps: ToolDeps, ctx: ToolContext): CallContext {
  const agentId = str(ctx.extra.agentId);
  const sessionKey = str(ctx.extra.sessionKey);
  if (agentId === undefined || sessionKey === undefined)
    throw fail("PAL_TOOL_EXEC_REFUSED", { reason: "the tool was called outside an agent session" });
  const ref = sessionRef(deps.config(), { agentId, sessionKey });
  const placement = deps.sandboxes.place(ref);
  const workspace = agentWorkspace(deps.config().agents, agentId, deps.stateDir);
  let sb: Promise<Sandbox> | undefined;
  const sandbox = () => {
    sb ??= deps.sandboxes.acquire(ref).then((s) => {
      if (s === null) throw fail("PAL_TOOL_EXEC_REFUSED", { reason: "this session is not sandboxed" });
      return s;
    });
    return sb;
  };
  return {
    agentId,
    sessionKey,
    runId: str(ctx.extra.runId),
    policy: deps.policy(agentId),
    sandboxed: placement.sandboxed,
    workspace,
    sandbox,
    async jail() {
      if (!placement.sandboxed) return makeJail(workspace);
      const { workspaceAccess: access, user } = placement.settings.policy;
      // A root gateway hands what it writes to the sandbox user, who owns the mount.
      const owner = process.getuid?.() === 0 ? { owner: user } : {};
      if (access === "none")
        return makeJail((await sandbox()).workspaceDir, { mountPrefix: SANDBOX_WORKSPACE, ...owner });
      if (access === "ro") return makeJail(workspace, { mountPrefix: SANDBOX_WORKSPACE, readOnly: true });
      return makeJail(workspace, { mountPrefix: SANDBOX_WORKSPACE, ...owner });
    },
    hostJail: () => makeJail(workspace),
  };
}
