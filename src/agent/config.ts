import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fail } from "../core/errors.js";
import type { ModelRefInput } from "../providers/index.js";
import { DEFAULT_AGENT_ID } from "../sessions/index.js";

/** One agent as the runtime sees it: config merged over `agents.defaults`. */
export interface AgentProfile {
  readonly id: string;
  readonly name?: string | undefined;
  /** Absolute workspace dir: the system prompt files live here. */
  readonly workspace: string;
  /** Model ref or `{primary, fallbacks}`; undefined when none is configured. */
  readonly model?: ModelRefInput | undefined;
  readonly isDefault: boolean;
}

/** The configured agents and which one gets unrouted traffic. */
export interface AgentDirectory {
  readonly defaultId: string;
  readonly agents: ReadonlyMap<string, AgentProfile>;
  /** The agent `id` (default agent when undefined); PAL_AGENT_UNKNOWN when not configured. */
  get(id?: string): AgentProfile;
}

/** The `agents` config section, structurally (the config schema's output fits). */
export interface AgentsSection {
  readonly defaults?:
    | { readonly workspace?: string | undefined; readonly model?: ModelRefInput | undefined }
    | undefined;
  readonly list?:
    | ReadonlyArray<{
        readonly id: string;
        readonly default?: boolean | undefined;
        readonly name?: string | undefined;
        readonly workspace?: string | undefined;
        readonly model?: ModelRefInput | undefined;
      }>
    | undefined;
}

function absolute(p: string, base: string): string {
  const e = p === "~" ? homedir() : p.startsWith("~/") ? join(homedir(), p.slice(2)) : p;
  return isAbsolute(e) ? e : resolve(base, e);
}

/**
 * Resolves agents from config. An empty list means one agent `main`. The default agent is the
 * one marked `default`, else the first. Workspaces: the agent's own, else (default agent)
 * `agents.defaults.workspace` or `<stateDir>/workspace`, else `<stateDir>/workspace-<id>`.
 */
export function resolveAgents(section: AgentsSection | undefined, stateDir: string): AgentDirectory {
  const defaults = section?.defaults ?? {};
  const list = section?.list?.length ? section.list : [{ id: DEFAULT_AGENT_ID }];
  const defaultId = (list.find((a) => a.default === true) ?? list[0])?.id ?? DEFAULT_AGENT_ID;
  const agents = new Map<string, AgentProfile>();
  for (const a of list) {
    const isDefault = a.id === defaultId;
    const ws =
      a.workspace ??
      (isDefault ? (defaults.workspace ?? join(stateDir, "workspace")) : join(stateDir, `workspace-${a.id}`));
    agents.set(a.id, {
      id: a.id,
      name: a.name,
      workspace: absolute(ws, stateDir),
      model: a.model ?? defaults.model,
      isDefault,
    });
  }
  return Object.freeze({
    defaultId,
    agents,
    get(id?: string) {
      const agent = agents.get(id ?? defaultId);
      if (agent === undefined) throw fail("PAL_AGENT_UNKNOWN", { agentId: String(id).slice(0, 64) });
      return agent;
    },
  });
}
