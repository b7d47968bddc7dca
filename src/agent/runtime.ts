import { join } from "node:path";
import type { PalisadeConfig } from "../config/index.js";
import { PalisadeError } from "../core/errors.js";
import {
  createModelRegistry,
  type Env,
  type FetchFn,
  type ModelRegistry,
  type ResolvedModel,
  withResolvedKeys,
} from "../providers/index.js";
import {
  createSessionStore,
  createTranscriptStore,
  createUsageStore,
  type SessionStore,
  type Store,
} from "../store/index.js";
import { DEFAULT_TOOLS } from "./builtin-tools.js";
import type { EmitFn } from "./chat-events.js";
import { type AgentDirectory, type AgentProfile, resolveAgents } from "./config.js";
import type { AgentServiceDeps, RuntimeLogger } from "./deps.js";
import { LaneScheduler, type LaneSchedulerOptions } from "./lanes.js";
import { buildSystemPrompt } from "./prompt.js";
import type { RunProviderOptions } from "./runner.js";
import { RunRegistry } from "./runs.js";
import { AgentService } from "./service.js";
import type { Tool } from "./tool.js";

/** How long an agent's assembled system prompt is reused, ms. */
const PROMPT_CACHE_MS = 1000;

/** Options of {@link createAgentRuntime}. */
export interface AgentRuntimeOptions {
  /** The validated config (`models`, `agents`, `session` are read). */
  readonly config: Pick<PalisadeConfig, "models" | "agents" | "session">;
  /** Environment for provider keys (`loadConfig`'s merged env). Never logged. */
  readonly env: Env;
  /** State dir: default workspace and `credentials/<provider>.key` files. */
  readonly stateDir: string;
  /** The open state store (sessions, transcripts, usage). */
  readonly store: Store;
  readonly logger: RuntimeLogger;
  /** Where `chat` and `agent` events go (the gateway's broadcast). Default: nowhere. */
  readonly emit?: EmitFn | undefined;
  /** HTTP client for providers. Default global fetch. */
  readonly fetch?: FetchFn | undefined;
  /** Tools offered per agent and session. Default: the harmless built-ins (`session_status`). */
  readonly tools?: ((ctx: { agentId: string; sessionKey: string }) => readonly Tool[]) | undefined;
  /** Refuses and audits calls to tools that were not offered (the tool service's `refuse`). */
  readonly refuseTool?: AgentServiceDeps["refuseTool"];
  /** Decides approvals for `/approve` (the tool service's approvals). */
  readonly approve?: AgentServiceDeps["approve"];
  /** Refuses to run an agent (the security monitor's SOUL check). Default: none refused. */
  readonly refuseAgent?: AgentServiceDeps["refuseAgent"];
  /**
   * Called after a session ended: reset (`/new`, `/reset`, `sessions.reset`, a reset rule) or
   * deleted (`sessions.delete`). The tool service destroys the session's sandbox and background
   * runs here. Default: nothing.
   */
  readonly onSessionEnd?: ((ref: { agentId: string; sessionKey: string }) => void) | undefined;
  /** Lane limits. Default 4 concurrent runs, 10 queued per session, 1000 overall. */
  readonly lanes?: LaneSchedulerOptions | undefined;
  /** Provider call settings (retries, stall timeout; tests inject sleep). */
  readonly provider?: RunProviderOptions | undefined;
  /** Run limits. */
  readonly maxSteps?: number | undefined;
  readonly timeoutMs?: number | undefined;
  /** Merge window of streamed deltas, ms. Default 50. */
  readonly deltaThrottleMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** A running agent runtime. */
export interface AgentRuntime {
  readonly service: AgentService;
  readonly registry: ModelRegistry;
  readonly agents: AgentDirectory;
  /**
   * Applies changed `models`, `agents` and `session` config (hot reload): new runs use the new
   * registry, agents and reset rules; runs in progress finish on what they started with.
   */
  reconfigure(config: AgentRuntimeOptions["config"]): void;
  /** Aborts every run; the store stays open (its owner closes it). */
  close(): void;
}

/** The config-derived parts of the service: registry, agents, model chains, session rules. */
function configParts(
  opts: AgentRuntimeOptions,
  config: AgentRuntimeOptions["config"],
): Pick<AgentServiceDeps, "registry" | "agents" | "chainFor" | "session"> {
  const registry = registryFromConfig(config, { env: opts.env, stateDir: opts.stateDir, fetch: opts.fetch });
  const agents = resolveAgents(config.agents, opts.stateDir);
  const chains = new Map<string, readonly ResolvedModel[]>();
  const chainFor = (agent: AgentProfile): readonly ResolvedModel[] => {
    const hit = chains.get(agent.id);
    if (hit !== undefined) return hit;
    let chain: readonly ResolvedModel[] = [];
    if (agent.model !== undefined) {
      try {
        chain = registry.chain(agent.model);
      } catch (err) {
        const detail = err instanceof PalisadeError ? err.message : "unexpected error";
        opts.logger.warn(
          { agentId: agent.id, detail },
          "agent model cannot be used; chats get the setup reply",
        );
      }
    }
    chains.set(agent.id, chain);
    return chain;
  };
  const session = config.session;
  return {
    registry,
    agents,
    chainFor,
    session: { mainKey: session?.mainKey, reset: session?.reset, resetByType: session?.resetByType },
  };
}

/** Builds the model registry from config: keys from config, credential files, then env vars. */
export function registryFromConfig(
  config: Pick<PalisadeConfig, "models">,
  opts: { env: Env; stateDir: string; fetch?: FetchFn | undefined },
): ModelRegistry {
  const providers = withResolvedKeys({
    providers: config.models?.providers,
    mode: config.models?.mode,
    credentialsDir: join(opts.stateDir, "credentials"),
    env: opts.env,
  });
  return createModelRegistry({
    providers,
    mode: config.models?.mode,
    env: opts.env,
    ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
  });
}

/** The session store, telling `onEnd` about every reset and delete (after it happened). */
function withEndHook(sessions: SessionStore, onEnd: AgentRuntimeOptions["onSessionEnd"]): SessionStore {
  if (onEnd === undefined) return sessions;
  return {
    ...sessions,
    reset(key, agentId) {
      const row = sessions.reset(key, agentId);
      onEnd({ agentId, sessionKey: key });
      return row;
    },
    delete(key) {
      const row = sessions.get(key);
      const deleted = sessions.delete(key);
      if (row !== undefined) onEnd({ agentId: row.agentId, sessionKey: key });
      return deleted;
    },
  };
}

/**
 * Wires config to a working agent runtime: model registry, agents and workspaces, session
 * stores, lanes and the service the gateway methods call. A model that cannot be resolved (no
 * key, unknown provider) is logged once and treated as "no model": chats then get the reply that
 * says how to configure one, and the gateway keeps running.
 */
export function createAgentRuntime(opts: AgentRuntimeOptions): AgentRuntime {
  const now = opts.now ?? Date.now;
  const runs = new RunRegistry({ now });
  const prompts = new Map<string, { at: number; text: Promise<string | undefined> }>();
  const systemPrompt = (agent: AgentProfile): Promise<string | undefined> => {
    // Workspace files are read at most once a second per agent: edits apply to the next message
    // a second later, and a busy gateway does not re-read five files for every run.
    const hit = prompts.get(agent.id);
    if (hit !== undefined && now() - hit.at < PROMPT_CACHE_MS) return hit.text;
    const text = buildSystemPrompt(agent.workspace).then((p) => p.text || undefined);
    prompts.set(agent.id, { at: now(), text });
    text.catch(() => prompts.delete(agent.id));
    return text;
  };
  // agents.defaults.maxConcurrent wins over the programmatic default (tests and benches).
  const laneCap = (config: AgentRuntimeOptions["config"]) =>
    config.agents?.defaults?.maxConcurrent ?? opts.lanes?.maxConcurrent;
  const cap = laneCap(opts.config);
  const lanes = new LaneScheduler({ ...opts.lanes, ...(cap === undefined ? {} : { maxConcurrent: cap }) });
  const deps: AgentServiceDeps = {
    ...configParts(opts, opts.config),
    sessions: withEndHook(createSessionStore(opts.store, { now }), opts.onSessionEnd),
    transcripts: createTranscriptStore(opts.store, { now }),
    usage: createUsageStore(opts.store),
    lanes,
    runs,
    emit: opts.emit ?? (() => {}),
    logger: opts.logger,
    tools: opts.tools ?? (() => DEFAULT_TOOLS),
    refuseTool: opts.refuseTool,
    approve: opts.approve,
    refuseAgent: opts.refuseAgent,
    atomic: (fn) => opts.store.transaction(fn),
    systemPrompt,
    provider: opts.provider,
    maxSteps: opts.maxSteps,
    timeoutMs: opts.timeoutMs,
    deltaThrottleMs: opts.deltaThrottleMs,
    now,
  };
  const service = new AgentService(deps);
  return {
    service,
    get registry() {
      return service.deps.registry;
    },
    get agents() {
      return service.deps.agents;
    },
    reconfigure(config) {
      service.update(configParts(opts, config));
      lanes.setMaxConcurrent(laneCap(config) ?? 4);
      prompts.clear();
    },
    close() {
      for (const key of runs.activeKeys()) service.abort(key);
    },
  };
}
