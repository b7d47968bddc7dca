import type { ModelRegistry, ResolvedModel } from "../providers/index.js";
import type { ResetConfig } from "../sessions/index.js";
import type { SessionStore, TranscriptStore, UsageStore } from "../store/index.js";
import type { EmitFn } from "./chat-events.js";
import type { AgentDirectory, AgentProfile } from "./config.js";
import type { LaneScheduler } from "./lanes.js";
import type { RunProviderOptions } from "./runner.js";
import type { RunRegistry } from "./runs.js";
import type { Tool } from "./tool.js";

/** The logger calls the runtime makes (pino's shape). */
export interface RuntimeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Session settings the runtime reads (`session.*`). */
export interface SessionSettings extends ResetConfig {
  readonly mainKey?: string | undefined;
}

/** Everything the agent service works with; built by `createAgentRuntime`. */
export interface AgentServiceDeps {
  readonly agents: AgentDirectory;
  readonly registry: ModelRegistry;
  readonly sessions: SessionStore;
  readonly transcripts: TranscriptStore;
  readonly usage: UsageStore;
  readonly lanes: LaneScheduler;
  readonly runs: RunRegistry;
  /** Sends `chat` and `agent` events to operators. */
  readonly emit: EmitFn;
  readonly logger: RuntimeLogger;
  readonly session: SessionSettings;
  /** Tools offered to an agent in a session. */
  readonly tools: (ctx: { agentId: string; sessionKey: string }) => readonly Tool[];
  /**
   * Decides a pending exec approval for `/approve` from the owner; returns the reply text.
   * Default: approvals are not available.
   */
  readonly approve?: ((id: string, decision: string, actor: string) => string) | undefined;
  /** Refuses (and audits) a call to a tool that was not offered; returns the text for the model. */
  readonly refuseTool?:
    | ((
        ctx: { agentId: string; sessionKey: string; runId: string },
        call: { toolCallId: string; toolName: string; input: unknown },
      ) => string)
    | undefined;
  /**
   * Why an agent may not run now, as the text its sender gets (`security.soul.onMismatch:
   * "refuse"` and its identity files differ from the baseline); undefined: it may. Checked before
   * anything is stored or any model is called. Default: every agent may run.
   */
  readonly refuseAgent?: ((agentId: string) => string | undefined) | undefined;
  /** The model chain of an agent (memoized; empty when none is configured or usable). */
  readonly chainFor: (agent: AgentProfile) => readonly ResolvedModel[];
  /** Runs `fn` in one store transaction (so a run's rows, session totals and usage commit together). */
  readonly atomic: <T>(fn: () => T) => T;
  /** The agent's system prompt (workspace files; cached briefly). Undefined when empty. */
  readonly systemPrompt: (agent: AgentProfile) => Promise<string | undefined>;
  /** Provider call settings (tests inject sleep and stall timeouts). */
  readonly provider?: RunProviderOptions | undefined;
  /** Max model calls per run. Default 25. */
  readonly maxSteps?: number | undefined;
  /** Run time limit, ms. Default 600_000. */
  readonly timeoutMs?: number | undefined;
  /** Transcript entries loaded as context. Default 400. */
  readonly contextEntries?: number | undefined;
  /** Merge window of streamed deltas, ms. Default 50. */
  readonly deltaThrottleMs?: number | undefined;
  readonly now: () => number;
}
