import { fail, PalisadeError } from "../core/errors.js";
import { canonicalSessionKey, parseSessionKey } from "../sessions/index.js";
import { ChatRunEvents, type EmitFn } from "./chat-events.js";
import { CHAT_HELP_TEXT, type ChatCommand, parseChatCommand } from "./commands.js";
import type { AgentProfile } from "./config.js";
import type { AgentServiceDeps } from "./deps.js";
import type { RunOutcome, RunRecord } from "./runs.js";
import { compactSession, currentSession, loadHistory, resetSession, runTurn } from "./turn.js";

/** What starts a run (`chat.send` and `agent` params, normalized). */
export interface StartRunInput {
  /** Session key as the client sent it; default the agent's main session. */
  readonly sessionKey?: string | undefined;
  readonly agentId?: string | undefined;
  readonly message: string;
  /** Becomes the run id, as in OpenClaw, so clients can match events before the ack. */
  readonly idempotencyKey: string;
  /** Run time limit, ms (bounded by the runtime's limit). */
  readonly timeoutMs?: number | undefined;
  /** The sender is the owner (operator chat): only the owner may `/approve`. Default false. */
  readonly owner?: boolean | undefined;
  /** Also receives this run's `chat` events (channels stream replies from them). */
  readonly observe?: EmitFn | undefined;
  /**
   * False when nobody needs the reply as it is written (a channel that does not stream edits):
   * the model is then asked for one answer instead of a stream, which costs the gateway much
   * less CPU. `chat` events still carry the text (one delta, then final). Default true.
   */
  readonly streamed?: boolean | undefined;
  /**
   * The run id, or run-id prefix before `:<attempt>`, that every processing attempt of this one
   * inbound message shares (channels: `channel:<inbox id>`), set on a retry. When the session's
   * newest transcript entry is this message from an earlier attempt (the process stopped, or the
   * attempt failed, before an answer was stored), the retry answers that entry instead of storing
   * the message a second time. Default: unset (a first attempt).
   */
  readonly retryOf?: string | undefined;
}

/** A started (or replayed) run. */
export interface StartedRun {
  readonly runId: string;
  readonly sessionKey: string;
  readonly acceptedAt: number;
  /** True when the idempotency key named a run that already exists. */
  readonly duplicate: boolean;
}

/** Resolves the agent and canonical key of a request; the key's agent wins over `agentId`. */
export function resolveTarget(
  deps: AgentServiceDeps,
  sessionKey: string | undefined,
  agentId: string | undefined,
): { agent: AgentProfile; key: string } {
  const first = deps.agents.get(agentId);
  const key = canonicalSessionKey(sessionKey, first.id, deps.session.mainKey);
  const owner = parseSessionKey(key)?.agentId ?? first.id;
  return { agent: owner === first.id ? first : deps.agents.get(owner), key };
}

function statusText(deps: AgentServiceDeps, agent: AgentProfile, key: string): string {
  const s = deps.sessions.get(key);
  const lane = deps.lanes.status(key);
  const model = deps.chainFor(agent)[0]?.ref ?? "none configured";
  return [
    `Session: ${key}`,
    `Agent: ${agent.id}`,
    `Model: ${model}`,
    `Runs: ${s?.runs ?? 0}; tokens in ${s?.inputTokens ?? 0}, out ${s?.outputTokens ?? 0}`,
    `Queue: ${lane.running ? "running" : "idle"}, ${lane.queued} waiting`,
  ].join("\n");
}

/**
 * The agent service behind `chat.send`, `agent`, `chat.abort` and `agent.wait`: starts runs on
 * the session's lane, answers chat commands without the model, and aborts promptly.
 */
export class AgentService {
  #deps: AgentServiceDeps;

  constructor(deps: AgentServiceDeps) {
    this.#deps = deps;
  }

  /** Swaps config-derived dependencies (hot reload); runs in progress keep what they started with. */
  update(patch: Partial<AgentServiceDeps>): void {
    this.#deps = { ...this.#deps, ...patch };
  }

  /** Dependencies (stores, registry, lanes) for the methods that read them. */
  get deps(): AgentServiceDeps {
    return this.#deps;
  }

  /**
   * Starts a run and returns at once; events follow on the next turn of the event loop. A repeat
   * of an idempotency key with the same session and message returns the existing run; with other
   * content it is refused. A full lane refuses with PAL_AGENT_QUEUE_FULL.
   */
  start(input: StartRunInput): StartedRun {
    const deps = this.#deps;
    const { agent, key } = resolveTarget(deps, input.sessionKey, input.agentId);
    const runId = input.idempotencyKey;
    const existing = deps.runs.get(runId);
    if (existing !== undefined) {
      if (existing.sessionKey !== key || existing.message !== input.message) {
        throw fail("PAL_PROTO_IDEMPOTENCY_REUSED", { key: runId.slice(0, 64) });
      }
      return { runId, sessionKey: key, acceptedAt: existing.acceptedAt, duplicate: true };
    }
    const command = parseChatCommand(input.message);
    const immediate = command !== null && command.name !== "new" && command.name !== "reset";
    const refused = immediate ? undefined : deps.lanes.refusal(key);
    if (refused !== undefined) throw refused;
    const rec = deps.runs.create(runId, key, agent.id, input.message);
    const observe = input.observe;
    const emit: EmitFn =
      observe === undefined
        ? deps.emit
        : (event, payload) => {
            deps.emit(event, payload);
            observe(event, payload);
          };
    const events = new ChatRunEvents(emit, runId, key, {
      throttleMs: deps.deltaThrottleMs,
      now: deps.now,
    });
    setImmediate(() => {
      if (immediate && command !== null) this.#immediate(rec, agent, command, events, input.owner === true);
      else this.#queue(rec, agent, command, input, events);
    });
    return { runId, sessionKey: key, acceptedAt: rec.acceptedAt, duplicate: false };
  }

  #end(rec: RunRecord, outcome: RunOutcome): void {
    this.#deps.runs.end(rec, outcome);
    this.#deps.emit("agent", {
      runId: rec.runId,
      sessionKey: rec.sessionKey,
      stream: "lifecycle",
      ts: this.#deps.now(),
      data: { phase: "end", status: outcome.status },
    });
  }

  #reply(rec: RunRecord, events: ChatRunEvents, text: string, stopReason: string): void {
    this.#deps.runs.start(rec);
    events.final(text, stopReason);
    this.#end(rec, { status: "ok", text, stopReason });
  }

  #immediate(
    rec: RunRecord,
    agent: AgentProfile,
    cmd: ChatCommand,
    events: ChatRunEvents,
    owner: boolean,
  ): void {
    const deps = this.#deps;
    if (cmd.name === "approve") {
      const [id = "", decision = "allow-once"] = cmd.args.split(/\s+/);
      const text = !owner
        ? "Only the owner can approve commands."
        : deps.approve === undefined
          ? "Exec approvals are not available."
          : deps.approve(id, decision, "chat:owner");
      this.#reply(rec, events, text, "command");
      return;
    }
    if (cmd.name === "help" || cmd.name === "status") {
      const text = cmd.name === "help" ? CHAT_HELP_TEXT : statusText(deps, agent, rec.sessionKey);
      this.#reply(rec, events, text, "command");
      return;
    }
    const stopped = this.abort(rec.sessionKey, undefined, rec.runId).length;
    this.#reply(rec, events, stopped > 0 ? `Stopped ${stopped} run(s).` : "Nothing is running.", "command");
  }

  #queue(
    rec: RunRecord,
    agent: AgentProfile,
    cmd: ChatCommand | null,
    input: StartRunInput,
    events: ChatRunEvents,
  ): void {
    const deps = this.#deps;
    deps.lanes
      .run(rec.sessionKey, async (laneSignal) => {
        const signal = AbortSignal.any([laneSignal, rec.ctrl.signal]);
        deps.runs.start(rec);
        deps.emit("agent", {
          runId: rec.runId,
          sessionKey: rec.sessionKey,
          stream: "lifecycle",
          ts: deps.now(),
          data: { phase: "start" },
        });
        if (signal.aborted) {
          events.aborted("");
          return this.#end(rec, { status: "aborted", text: "", stopReason: "aborted", error: "aborted" });
        }
        let text = input.message;
        if (cmd !== null) {
          resetSession(deps, rec.sessionKey, agent.id);
          if (cmd.name === "reset" || cmd.args === "") {
            events.final("Started a new session.", "command");
            return this.#end(rec, { status: "ok", text: "Started a new session.", stopReason: "command" });
          }
          text = cmd.args;
        }
        const outcome = await runTurn(deps, {
          rec,
          agent,
          text,
          signal,
          events,
          timeoutMs: input.timeoutMs,
          stream: input.streamed !== false,
          retryOf: input.retryOf,
        });
        this.#end(rec, outcome);
      })
      .catch((err: unknown) => {
        // Only a refusal by the lane lands here (runTurn never throws).
        const msg = err instanceof PalisadeError ? err.message : "internal error";
        deps.logger.warn({ runId: rec.runId, sessionKey: rec.sessionKey, detail: msg }, "run not started");
        events.error(msg, "unknown");
        this.#end(rec, { status: "error", text: msg, stopReason: "error", error: msg });
      });
  }

  /**
   * Aborts the runs of a session (only `runId` when given, never `exceptRunId`); running ones stop
   * promptly, queued ones end as aborted when their turn comes. Returns the aborted run ids.
   */
  abort(sessionKey: string, runId?: string, exceptRunId?: string): string[] {
    const out: string[] = [];
    for (const r of this.#deps.runs.activeFor(sessionKey)) {
      if ((runId !== undefined && r.runId !== runId) || r.runId === exceptRunId) continue;
      r.ctrl.abort(fail("PAL_AGENT_ABORTED", { reason: "stopped by request" }));
      out.push(r.runId);
    }
    return out;
  }

  /** Canonical key of what a client sent, for abort and history. */
  keyOf(sessionKey: string | undefined, agentId?: string): string {
    return resolveTarget(this.#deps, sessionKey, agentId).key;
  }

  /**
   * Waits for a run to end, at most `timeoutMs`; undefined on timeout.
   * PAL_AGENT_RUN_NOT_FOUND for an unknown (or long-forgotten) run.
   */
  async wait(runId: string, timeoutMs: number): Promise<{ rec: RunRecord; outcome?: RunOutcome }> {
    const rec = this.#deps.runs.get(runId);
    if (rec === undefined) throw fail("PAL_AGENT_RUN_NOT_FOUND", { runId: runId.slice(0, 64) });
    if (rec.outcome !== undefined) return { rec, outcome: rec.outcome };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), timeoutMs);
    });
    try {
      const outcome = await Promise.race([rec.done, timeout]);
      return outcome === undefined ? { rec } : { rec, outcome };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resets a session now (new transcript), stopping its runs first. */
  reset(sessionKey: string): ReturnType<AgentServiceDeps["sessions"]["reset"]> {
    const { agent, key } = resolveTarget(this.#deps, sessionKey, undefined);
    this.abort(key);
    return resetSession(this.#deps, key, agent.id);
  }

  /** The current session row of a key, applying reset rules (creates it when missing). */
  current(sessionKey: string): ReturnType<typeof currentSession> {
    const { agent, key } = resolveTarget(this.#deps, sessionKey, undefined);
    return currentSession(this.#deps, key, agent.id);
  }

  /** Compacts a session now (in its lane, after any running turn); returns how many messages. */
  compact(sessionKey: string): Promise<{ key: string; compacted: number }> {
    const deps = this.#deps;
    const { agent, key } = resolveTarget(deps, sessionKey, undefined);
    return deps.lanes.run(key, async (signal) => {
      const session = deps.sessions.get(key);
      if (session === undefined) throw fail("PAL_SESSION_NOT_FOUND", { key: key.slice(0, 200) });
      const chain = deps.chainFor(agent);
      const r = await compactSession(deps, session, await loadHistory(deps, session), chain, {
        signal,
        force: true,
      });
      return { key, compacted: r.compacted };
    });
  }
}
