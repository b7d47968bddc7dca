import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { arr, obj, str } from "./audit/helpers.js";

/** The agent identity files whose integrity is tracked (the files the system prompt is built from). */
export const IDENTITY_FILES = ["SOUL.md", "AGENTS.md", "USER.md", "IDENTITY.md", "TOOLS.md"] as const;

/** One agent and its workspace dir. */
export interface AgentWorkspace {
  readonly agentId: string;
  readonly dir: string;
}

function absolute(p: string, stateDir: string): string {
  if (p === "~" || p.startsWith("~/")) return join(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(stateDir, p);
}

/**
 * Every agent's workspace: `agents.list[].workspace`, else `agents.defaults.workspace`, else
 * `<stateDir>/workspace`; one agent "main" when the list is empty. Relative paths are taken
 * from the state dir. Reads the config defensively (it may be invalid).
 */
export function agentWorkspaces(config: unknown, stateDir: string): AgentWorkspace[] {
  const agents = obj(obj(config).agents);
  const fallback = str(obj(agents.defaults).workspace) ?? join(stateDir, "workspace");
  const list = arr(agents.list).map(obj);
  if (list.length === 0) return [{ agentId: "main", dir: absolute(fallback, stateDir) }];
  return list.map((a, i) => ({
    agentId: str(a.id) ?? `agent${i}`,
    dir: absolute(str(a.workspace) ?? fallback, stateDir),
  }));
}
