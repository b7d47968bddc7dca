/**
 * Wires the agent runtime into a running gateway: opens the state store (unless one is given),
 * builds the runtime from config, registers the chat, agent, sessions, models and usage methods,
 * and sends `chat`/`agent` events to operators with operator.read.
 */
import { join } from "node:path";
import type { AgentRuntimeOptions, AgentService, EmitFn } from "../../agent/index.js";
import type { PalisadeConfig } from "../../config/index.js";
import type { Store } from "../../store/index.js";
import type { ToolService, ToolServiceOptions } from "../../tools/index.js";
import type { GatewayServer } from "../types.js";

/** Options of {@link attachAgentRuntime}. */
export interface AttachAgentRuntimeOptions {
  readonly config: Pick<PalisadeConfig, "models" | "agents" | "session" | "tools">;
  /** Merged env (`loadConfig().env`) for provider keys. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stateDir: string;
  readonly logger: import("pino").Logger;
  /** An already open store to share; default: open `<stateDir>/state.sqlite` here. */
  readonly store?: Store | undefined;
  /** Extra runtime settings (tools, lanes, provider retries, limits); tests and benches use it. */
  readonly runtime?: Partial<
    Omit<AgentRuntimeOptions, "config" | "env" | "stateDir" | "store" | "logger" | "emit">
  >;
  /** Tool service seams (sandbox manager, web_fetch DNS); tests use them. */
  readonly tools?: Partial<Pick<ToolServiceOptions, "sandboxes" | "resolve" | "addressPolicy">> | undefined;
}

/** The agent runtime of a gateway process; outlives in-process server restarts. */
export interface AttachedAgentRuntime {
  /** The store in use (opened here unless one was passed). */
  readonly store: Store;
  /** The agent service (channels run inbound messages through it, like `chat.send`). */
  readonly service: AgentService;
  /** The default agent's id. */
  readonly defaultAgentId: string;
  /** The tools offered to agents, their policy and the exec approvals. */
  readonly tools: ToolService;
  /** Also sends every `chat`/`agent` event to `fn` (channel health). */
  observe(fn: EmitFn): void;
  /**
   * Registers the methods on a (re)started server and sends events to it from now on. Call it
   * from the supervisor's per-start hook.
   */
  attach(server: Pick<GatewayServer, "methods" | "broadcast" | "declareEvents" | "readiness">): void;
  /** Applies a hot-reloaded config's `models`, `agents` and `session` (call from the reloader). */
  reconfigure(config: Pick<PalisadeConfig, "models" | "agents" | "session" | "tools">): void;
  /**
   * Holds every sandbox creation until {@link startSandboxes} has finished, and keeps the
   * {@link SANDBOX_CLEANUP_STAGE} readiness stage failing until then. A gateway process calls it
   * before it serves, so the cleanup can run after it listens.
   */
  holdSandboxes(): void;
  /**
   * Starts the sandbox lifecycle of a gateway process: removes sandboxes an earlier run of this
   * install left (containers, private workspaces) and prunes idle ones every 5 minutes. Never
   * throws (a failure is logged; sandboxed tools report their own refusal).
   */
  startSandboxes(): Promise<void>;
  /** Stops pruning, kills background runs and destroys every sandbox (gateway stop). */
  stopSandboxes(): Promise<void>;
  /** Aborts runs and closes the store if it was opened here. */
  close(): void;
}

/** Readiness stage while sandboxes an earlier run left are still being removed. */
export const SANDBOX_CLEANUP_STAGE = "sandbox-cleanup";

let shared: Store | undefined;

const errorText = (err: unknown) => (err instanceof Error ? err.message.slice(0, 300) : String(err));

/** The store the agent runtime opened in this process (when it opened one), for sharing. */
export function getSharedStore(): Store | undefined {
  return shared;
}

/**
 * Builds the agent runtime once per process (lanes and runs survive server restarts); `attach`
 * registers the chat, agent, sessions, models and usage methods on each server.
 */
export async function attachAgentRuntime(opts: AttachAgentRuntimeOptions): Promise<AttachedAgentRuntime> {
  const { openStore } = await import("../../store/index.js");
  const { createAgentRuntime } = await import("../../agent/index.js");
  const { registerChatMethods } = await import("../methods/chat.js");
  const { registerAgentMethods } = await import("../methods/agent.js");
  const { registerSessionsMethods } = await import("../methods/sessions.js");
  const { registerModelMethods } = await import("../methods/models.js");
  const { registerUsageMethods } = await import("../methods/usage.js");
  const { registerApprovalMethods } = await import("../methods/approvals.js");
  const { createToolService, sessionsPortFor } = await import("../../tools/index.js");
  const { WebchatIngress } = await import("../../channels/index.js");
  const owned = opts.store === undefined;
  const file = opts.store?.file ?? join(opts.stateDir, "state.sqlite");
  const store = opts.store ?? openStore({ file });
  if (owned) shared = store;
  const logger = opts.logger.child({ module: "agent" });
  let current: Pick<GatewayServer, "methods" | "broadcast"> | undefined;
  const observers: EmitFn[] = [];
  const tools = createToolService({
    ...opts.tools,
    config: opts.config,
    stateDir: opts.stateDir,
    store,
    emit: (event, payload) => current?.broadcast(event, payload, { scope: "operator.approvals" }),
  });
  const runtime = createAgentRuntime({
    tools: (ctx) => tools.toolsFor(ctx),
    refuseTool: (ctx, call) => tools.refuse(ctx, call),
    onSessionEnd: (ref) => {
      tools.endSession(ref).catch((err: unknown) => {
        logger.warn({ sessionKey: ref.sessionKey, detail: errorText(err) }, "session sandbox not removed");
      });
    },
    approve: (id, decision, actor) => {
      if (decision !== "allow-once" && decision !== "allow-always" && decision !== "deny")
        return "Usage: /approve <id> [allow-once|allow-always|deny]";
      try {
        return `Approval ${tools.approvals.resolve(id, decision, actor).id}: ${decision}.`;
      } catch (err) {
        return err instanceof Error ? err.message : "approval failed";
      }
    },
    ...opts.runtime,
    config: opts.config,
    env: opts.env,
    stateDir: opts.stateDir,
    store,
    logger,
    emit: (event, payload) => {
      current?.broadcast(event, payload, { scope: "operator.read" });
      for (const fn of observers) fn(event, payload);
    },
  });
  tools.setSessions(sessionsPortFor(runtime.service));
  // chat.send goes through the durable inbox; unfinished sends resume at the first attach, after
  // the sandboxes of a crashed earlier run were cleaned up.
  const webchat = new WebchatIngress({ store, service: runtime.service, logger });
  let resumed = false;
  let stopPruning: (() => void) | undefined;
  /** False from holdSandboxes until startSandboxes has finished. */
  let sandboxesReady = true;
  const configured = [...runtime.agents.agents.values()].filter((a) => a.model !== undefined).length;
  logger.info({ agents: runtime.agents.agents.size, withModel: configured }, "agent runtime ready");
  return {
    store,
    service: runtime.service,
    defaultAgentId: runtime.agents.defaultId,
    tools,
    observe(fn) {
      observers.push(fn);
    },
    attach(server) {
      current = server;
      server.readiness.probe(SANDBOX_CLEANUP_STAGE, () => sandboxesReady);
      server.declareEvents(["chat", "agent", "exec.approval.requested", "exec.approval.resolved"]);
      registerApprovalMethods(server.methods, tools.approvals);
      registerChatMethods(server.methods, runtime.service, webchat);
      if (!resumed) {
        resumed = true;
        webchat.resume();
      }
      registerAgentMethods(server.methods, runtime.service);
      registerSessionsMethods(server.methods, runtime.service, file);
      registerModelMethods(server.methods, runtime.service);
      registerUsageMethods(server.methods, runtime.service);
    },
    holdSandboxes() {
      sandboxesReady = false;
      tools.sandboxes.holdUntilCleaned();
    },
    async startSandboxes() {
      try {
        const removed = await tools.sandboxes.cleanOrphans();
        if (removed.length > 0) logger.info({ removed }, "removed sandboxes left by an earlier run");
      } catch (err) {
        logger.warn({ detail: errorText(err) }, "sandbox orphan cleanup failed");
      }
      stopPruning ??= tools.sandboxes.startPruning();
      sandboxesReady = true;
    },
    async stopSandboxes() {
      stopPruning?.();
      stopPruning = undefined;
      await tools.shutdown().catch((err: unknown) => {
        logger.warn({ detail: errorText(err) }, "sandboxes not all removed at stop");
      });
    },
    reconfigure(config) {
      runtime.reconfigure(config);
      tools.reconfigure(config);
      logger.info({ agents: runtime.agents.agents.size }, "agent runtime reconfigured");
    },
    close() {
      stopPruning?.();
      runtime.close();
      tools.close();
      if (owned) {
        store.close();
        if (shared === store) shared = undefined;
      }
    },
  };
}
