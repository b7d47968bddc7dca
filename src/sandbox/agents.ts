/** Reads per-agent sandbox settings out of the `agents` config section. */
import { isAbsolute, join, resolve } from "node:path";
import type { AgentsConfig } from "../config/schema/agents.js";
import type { SandboxConfig } from "../config/schema/sandbox.js";
import {
  defaultWorkspaceRoot,
  mergeSandboxConfig,
  resolveSandboxSettings,
  type SandboxSettings,
} from "./policy.js";

/** The agent id used when agents.list is empty. */
const DEFAULT_AGENT = "main";

/** The agents a config declares (an empty list means one agent "main"), with the default agent. */
export function agentIds(agents: AgentsConfig | undefined): { ids: string[]; defaultId: string } {
  const list = agents?.list?.length ? agents.list : [{ id: DEFAULT_AGENT, default: true }];
  const defaultId = (list.find((a) => a.default === true) ?? list[0])?.id ?? DEFAULT_AGENT;
  return { ids: list.map((a) => a.id), defaultId };
}

/**
 * An agent's workspace, by the agents module's rule: its own `workspace`, else for the default
 * agent `agents.defaults.workspace` or `<stateDir>/workspace`, else `<stateDir>/workspace-<id>`.
 */
export function agentWorkspace(agents: AgentsConfig | undefined, agentId: string, stateDir: string): string {
  const { defaultId } = agentIds(agents);
  const own = agents?.list?.find((a) => a.id === agentId)?.workspace;
  const ws =
    own ??
    (agentId === defaultId
      ? (agents?.defaults?.workspace ?? join(stateDir, "workspace"))
      : join(stateDir, `workspace-${agentId}`));
  return isAbsolute(ws) ? ws : resolve(stateDir, ws);
}

/** The merged (defaults + agent) sandbox config of an agent, before defaults are applied. */
export function agentSandboxConfig(agents: AgentsConfig | undefined, agentId: string): SandboxConfig {
  const own = agents?.list?.find((a) => a.id === agentId)?.sandbox;
  return mergeSandboxConfig(agents?.defaults?.sandbox, own);
}

/** Effective settings of one agent (throws on refused config). */
export function agentSandboxSettings(
  agents: AgentsConfig | undefined,
  agentId: string,
  stateDir: string,
): SandboxSettings {
  return resolveSandboxSettings(agentSandboxConfig(agents, agentId), {
    agentWorkspace: agentWorkspace(agents, agentId, stateDir),
    defaultWorkspaceRoot: defaultWorkspaceRoot(stateDir),
  });
}
