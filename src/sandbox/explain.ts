/** `palisade sandbox explain <agent>`: the effective mode, scope, backend and policy, and why. */
import type { AgentsConfig } from "../config/schema/agents.js";
import { agentSandboxConfig, agentSandboxSettings } from "./agents.js";
import { SANDBOX_DEFAULTS } from "./policy.js";
import { selectBackend } from "./select.js";
import type { Availability, SandboxBackend, SandboxPolicy } from "./types.js";

/** What explain reports. */
export interface SandboxExplanation {
  /** Agent id. */
  readonly agentId: string;
  /** Effective mode and where it came from. */
  readonly mode: { value: string; source: string };
  /** Effective scope and where it came from. */
  readonly scope: { value: string; source: string };
  /** Configured backend choice and what it resolves to here. */
  readonly backend: { choice: string; selected: string | null; why: string };
  /** Availability of each backend. */
  readonly backends: Record<string, Availability>;
  /** The resolved policy. */
  readonly policy: SandboxPolicy;
  /** Human notes (what the main session does, weakened settings). */
  readonly notes: string[];
}

function source(agentVal: unknown, defaultsVal: unknown, agentId: string, key: string): string {
  if (agentVal !== undefined) return `agents.list[id=${agentId}].sandbox.${key}`;
  if (defaultsVal !== undefined) return `agents.defaults.sandbox.${key}`;
  return "built-in default";
}

/** Explains an agent's sandbox settings (throws on refused config with the fix). */
export async function explainSandbox(
  agents: AgentsConfig | undefined,
  agentId: string,
  stateDir: string,
  backends: readonly SandboxBackend[],
): Promise<SandboxExplanation> {
  const s = agentSandboxSettings(agents, agentId, stateDir);
  const own = agents?.list?.find((a) => a.id === agentId)?.sandbox ?? {};
  const defs = agents?.defaults?.sandbox ?? {};
  const merged = agentSandboxConfig(agents, agentId);
  const availability: Record<string, Availability> = {};
  for (const b of backends) availability[b.name] = await b.available();
  let selected: string | null = null;
  let why: string;
  try {
    const sel = await selectBackend(
      s.backend,
      backends,
      async (b) => availability[b.name] ?? (await b.available()),
    );
    selected = sel.backend.name;
    why = sel.why;
  } catch (err) {
    why = (err as Error).message;
  }
  const notes: string[] = [];
  if (s.mode === "off") notes.push("mode off: tools run on the host, unsandboxed");
  if (s.mode === "non-main")
    notes.push("the main session runs unsandboxed; every other session is sandboxed");
  if (s.policy.network !== "none")
    notes.push(`network "${s.policy.network}": the sandbox can reach the network`);
  if (!s.policy.readOnlyRoot) notes.push("readOnlyRoot false: the container root filesystem is writable");
  if (s.policy.workspaceAccess !== "none" && process.getuid?.() === 0)
    notes.push(
      `running as root: the agent workspace is handed to uid ${s.policy.user.uid} so the sandbox user can use it`,
    );
  const docker = backends.find((b) => b.name === "docker") as
    | { hasImage?: (i: string) => Promise<boolean> }
    | undefined;
  if (selected === "docker" && docker?.hasImage && !(await docker.hasImage(s.policy.image)))
    notes.push(`image ${s.policy.image} is not built yet: run \`palisade sandbox build\``);
  if (merged.mode === undefined) notes.push(`mode defaults to ${SANDBOX_DEFAULTS.mode}`);
  return {
    agentId,
    mode: { value: s.mode, source: source(own.mode, defs.mode, agentId, "mode") },
    scope: { value: s.scope, source: source(own.scope, defs.scope, agentId, "scope") },
    backend: { choice: s.backend, selected, why },
    backends: availability,
    policy: s.policy,
    notes,
  };
}
