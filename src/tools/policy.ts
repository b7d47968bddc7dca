/**
 * Tool policy resolution: which tools an agent is offered (profiles, groups, allow/deny/alsoAllow
 * at global, agents.defaults and agent level, the sandbox tool policy), how exec is governed
 * (security, ask, allowlist) and whether elevated host execution is possible. Resolved once per
 * agent and frozen; config defaults the schema leaves open are applied here.
 */
import type { PalisadeConfig } from "../config/index.js";
import { expandToolEntry, TOOL_NAMES, TOOL_PROFILES, type ToolName } from "../config/schema/tool-names.js";

/** The config sections the tools read (`session.mainKey` tells the main session apart). */
export type ToolsConfigView = Pick<PalisadeConfig, "tools" | "agents"> &
  Partial<Pick<PalisadeConfig, "session">>;
type ToolsConfig = NonNullable<PalisadeConfig["tools"]>;
type AgentsConfig = NonNullable<PalisadeConfig["agents"]>;
type PolicyLevel = {
  profile?: keyof typeof TOOL_PROFILES | undefined;
  allow?: string[] | undefined;
  deny?: string[] | undefined;
  alsoAllow?: string[] | undefined;
};

/** How exec may run commands. */
export type ExecSecurity = "deny" | "allowlist" | "full";
/** When exec asks an operator. */
export type ExecAsk = "off" | "on-miss" | "always";

/** Where exec runs (`tools.exec.host`). */
export type ExecHost = "sandbox" | "gateway" | "node";

/** The exec settings of one agent, defaults applied. */
export interface ExecPolicy {
  /**
   * Default "sandbox": the session's sandbox when it has one, else the gateway host through the
   * gate. "gateway": always the gateway host through the gate (allowlist/approvals), even in a
   * sandboxed session. "node": refused (no node runs commands yet).
   */
  readonly host: ExecHost;
  /** Default "allowlist". */
  readonly security: ExecSecurity;
  /** Default "on-miss". */
  readonly ask: ExecAsk;
  /** Command patterns (global, agents.defaults and agent lists together). */
  readonly allowlist: readonly string[];
  /** Extra binaries allowed like the built-in safe bins (`tools.exec.safeBins`). */
  readonly safeBins: readonly string[];
  /** Default 1800 s. */
  readonly timeoutMs: number;
  /** Default 200_000 bytes per stream. */
  readonly maxOutputBytes: number;
  /** Pending approvals expire (as denied) after this; default 30 min. */
  readonly approvalTimeoutMs: number;
  /** Foreground commands move to the background after this; default 10 s. */
  readonly backgroundMs: number;
}

/** Elevated (host) execution of one agent. */
export interface ElevatedPolicy {
  /** Global `tools.elevated.enabled` is true, the agent's level does not say false, and the agent is in allowFrom. */
  readonly allowed: boolean;
  /** Every elevated command needs an approval; default true. */
  readonly requireApproval: boolean;
  /** Why it is (not) allowed, for error messages. */
  readonly why: string;
}

/** The resolved policy of one agent. */
export interface AgentToolPolicy {
  readonly agentId: string;
  /** Tools offered outside a sandbox. */
  readonly allowed: ReadonlySet<ToolName>;
  /** Tools offered when the session is sandboxed (tools.sandbox.tools narrows further). */
  readonly allowedSandboxed: ReadonlySet<ToolName>;
  /** For each refused tool, the config that refused it. */
  readonly reasons: ReadonlyMap<ToolName, string>;
  readonly exec: ExecPolicy;
  readonly elevated: ElevatedPolicy;
}

const expand = (list: readonly string[] | undefined): Set<ToolName> =>
  new Set((list ?? []).flatMap((e) => expandToolEntry(e)));

function levelsOf(tools: ToolsConfig | undefined, agents: AgentsConfig | undefined, agentId: string) {
  const agent = agents?.list?.find((a) => a.id === agentId)?.tools;
  const defaults = agents?.defaults?.tools;
  return { global: tools, defaults, agent };
}

/**
 * The set of tools a policy allows: the nearest profile (agent, then agents.defaults, then
 * global; default full) or, when any level sets `allow`, the nearest `allow` instead; plus every
 * level's `alsoAllow`; minus every level's `deny`. Deny always wins.
 */
export function resolveAllowedTools(levels: readonly (PolicyLevel | undefined)[]): {
  allowed: Set<ToolName>;
  reasons: Map<ToolName, string>;
} {
  const nearest = [...levels].reverse();
  const allow = nearest.find((l) => l?.allow !== undefined)?.allow;
  const profile = nearest.find((l) => l?.profile !== undefined)?.profile ?? "full";
  const base = allow !== undefined ? expand(allow) : expand(TOOL_PROFILES[profile]);
  for (const l of levels) for (const n of expand(l?.alsoAllow)) base.add(n);
  const reasons = new Map<ToolName, string>();
  for (const n of TOOL_NAMES) {
    if (!base.has(n))
      reasons.set(n, allow !== undefined ? "not in tools.allow" : `not in tools profile "${profile}"`);
  }
  for (const l of levels)
    for (const n of expand(l?.deny)) {
      base.delete(n);
      reasons.set(n, "listed in tools.deny");
    }
  return { allowed: base, reasons };
}

function resolveExec(cfg: ToolsConfigView, agentId: string): ExecPolicy {
  const { global, defaults, agent } = levelsOf(cfg.tools, cfg.agents, agentId);
  const g = global?.exec;
  return Object.freeze({
    host: g?.host ?? "sandbox",
    security: agent?.exec?.security ?? defaults?.exec?.security ?? g?.security ?? "allowlist",
    ask: agent?.exec?.ask ?? defaults?.exec?.ask ?? g?.ask ?? "on-miss",
    allowlist: Object.freeze([
      ...(g?.allowlist ?? []),
      ...(defaults?.exec?.allowlist ?? []),
      ...(agent?.exec?.allowlist ?? []),
    ]),
    safeBins: Object.freeze([...(g?.safeBins ?? [])]),
    timeoutMs: (g?.timeoutSec ?? 1800) * 1000,
    maxOutputBytes: g?.maxOutputBytes ?? 200_000,
    approvalTimeoutMs: (g?.approvalTimeoutSec ?? 1800) * 1000,
    backgroundMs: g?.backgroundMs ?? 10_000,
  });
}

function resolveElevated(cfg: ToolsConfigView, agentId: string): ElevatedPolicy {
  const { global, defaults, agent } = levelsOf(cfg.tools, cfg.agents, agentId);
  const requireApproval =
    agent?.elevated?.requireApproval ??
    defaults?.elevated?.requireApproval ??
    global?.elevated?.requireApproval ??
    true;
  const deny = (why: string): ElevatedPolicy => Object.freeze({ allowed: false, requireApproval, why });
  if (global?.elevated?.enabled !== true) return deny("tools.elevated.enabled is not true");
  if ((agent?.elevated?.enabled ?? defaults?.elevated?.enabled) === false)
    return deny(`elevated mode is disabled for agent ${agentId}`);
  const allowFrom = agent?.elevated?.allowFrom ?? defaults?.elevated?.allowFrom ?? global.elevated.allowFrom;
  // The list form names agent ids ("*" for all). The per-channel form names senders, which a
  // tool call does not carry yet, so it allows nothing (fail closed).
  const ids = Array.isArray(allowFrom) ? allowFrom.map(String) : [];
  if (!ids.includes(agentId) && !ids.includes("*"))
    return deny(`agent ${agentId} is not in tools.elevated.allowFrom`);
  return Object.freeze({ allowed: true, requireApproval, why: "tools.elevated allows this agent" });
}

/** Resolves the tool policy of one agent from the validated config. */
export function resolveAgentToolPolicy(cfg: ToolsConfigView, agentId: string): AgentToolPolicy {
  const { global, defaults, agent } = levelsOf(cfg.tools, cfg.agents, agentId);
  const { allowed, reasons } = resolveAllowedTools([global, defaults, agent]);
  if (cfg.tools?.web?.fetch?.enabled === false) {
    allowed.delete("web_fetch");
    reasons.set("web_fetch", "tools.web.fetch.enabled is false");
  }
  const exec = resolveExec(cfg, agentId);
  if (exec.security === "deny") {
    for (const n of ["exec", "process"] as const) {
      allowed.delete(n);
      reasons.set(n, 'tools.exec.security is "deny"');
    }
  }
  const sandboxed = new Set(allowed);
  const sb = cfg.tools?.sandbox?.tools;
  if (sb?.allow !== undefined) {
    const only = expand(sb.allow);
    for (const n of [...sandboxed]) if (!only.has(n)) sandboxed.delete(n);
  }
  for (const n of expand(sb?.deny)) sandboxed.delete(n);
  return Object.freeze({
    agentId,
    allowed: allowed as ReadonlySet<ToolName>,
    allowedSandboxed: sandboxed as ReadonlySet<ToolName>,
    reasons,
    exec,
    elevated: resolveElevated(cfg, agentId),
  });
}
