import type { ModelMessage } from "ai";
import { PalisadeError } from "../core/errors.js";
import type { ResolvedModel, Usage } from "../providers/index.js";
import { isSessionExpired, resetRuleFor } from "../sessions/index.js";
import type { SessionRow, TranscriptAppend } from "../store/index.js";
import type { ChatErrorKind, ChatRunEvents } from "./chat-events.js";
import { compactHistory, planCompaction } from "./compaction.js";
import type { AgentProfile } from "./config.js";
import type { AgentServiceDeps } from "./deps.js";
import { type AgentResult, DEFAULT_APOLOGY, runAgent } from "./runner.js";
import type { RunOutcome, RunRecord } from "./runs.js";
import { messageText, toModelMessages, toTranscriptRows } from "./transcript-codec.js";

/** Starts a new transcript for `key` and drops the cached context of the one it replaces. */
export function resetSession(deps: AgentServiceDeps, key: string, agentId: string): SessionRow {
  const old = deps.sessions.get(key);
  const fresh = deps.sessions.reset(key, agentId);
  if (old !== undefined) deps.transcripts.forget(old.sessionId);
  return fresh;
}

/** The session to use now: the stored one, or a fresh one when its reset rule says it expired. */
export function currentSession(deps: AgentServiceDeps, key: string, agentId: string): SessionRow {
  const existing = deps.sessions.get(key);
  if (existing === undefined) return deps.sessions.ensure(key, agentId);
  return unexpired(deps, existing, agentId);
}

/** `existing`, or a fresh session when its reset rule says it expired. */
function unexpired(deps: AgentServiceDeps, existing: SessionRow, agentId: string): SessionRow {
  if (!isSessionExpired(resetRuleFor(deps.session, existing.key), existing.updatedAt, deps.now())) {
    return existing;
  }
  const fresh = deps.sessions.reset(existing.key, agentId);
  deps.transcripts.forget(existing.sessionId);
  return fresh;
}

/** A session's model context and the transcript id of each message. */
export interface LoadedHistory {
  readonly messages: ModelMessage[];
  readonly ids: number[];
}

/** The model context of a session (the bounded recent window, from the latest summary on). */
export function loadHistory(deps: AgentServiceDeps, session: SessionRow): Promise<LoadedHistory> {
  return toModelMessages(deps.transcripts.context(session.sessionId, { limit: deps.contextEntries ?? 400 }));
}

/**
 * Compacts the session when its history nears the primary model's context window (or always,
 * with `force`): the summary is appended as a `summary` row covering the older entries.
 * Returns the history to use; on a provider failure the history is kept and the error logged.
 */
export async function compactSession(
  deps: AgentServiceDeps,
  session: SessionRow,
  loaded: LoadedHistory,
  chain: readonly ResolvedModel[],
  opts: { signal?: AbortSignal; force?: boolean } = {},
): Promise<{ history: ModelMessage[]; compacted: number; usage?: Usage }> {
  const history = loaded.messages;
  if (chain.length === 0) return { history, compacted: 0 };
  const plan = { contextWindow: chain[0]?.info.contextWindow, ...(opts.force ? { threshold: 0 } : {}) };
  // The same decision compactHistory makes first, without building provider options per turn.
  if (planCompaction(history, plan) === null) return { history, compacted: 0 };
  try {
    const r = await compactHistory(history, {
      models: chain,
      ...plan,
      provider: { ...deps.provider, signal: opts.signal, secrets: deps.registry.secrets() },
    });
    if (r === null) return { history, compacted: 0 };
    // The kept messages are the suffix of `history`; the summary covers everything before them.
    const cut = history.length - (r.messages.length - 1);
    deps.transcripts.append(session.key, session.sessionId, [
      { kind: "summary", role: "user", message: r.summary, coversTo: loaded.ids[cut - 1] },
    ]);
    deps.logger.info({ sessionKey: session.key, compacted: r.compactedCount }, "session compacted");
    return { history: [...r.messages], compacted: r.compactedCount, usage: r.usage };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const detail = err instanceof PalisadeError ? err.message : "unexpected error";
    deps.logger.warn(
      { sessionKey: session.key, detail },
      "compaction failed; continuing with the full window",
    );
    return { history, compacted: 0 };
  }
}

/**
 * The session of a turn and the history to send, with the user message persisted before the
 * model is called. A session seen for the first time has an empty transcript: its row and the
 * user message commit together, and there is nothing to load or compact.
 */
async function openTurn(
  deps: AgentServiceDeps,
  input: TurnInput,
  chain: readonly ResolvedModel[],
): Promise<{ session: SessionRow; history: ModelMessage[]; answered?: string }> {
  const { rec, agent, text } = input;
  const key = rec.sessionKey;
  const user: TranscriptAppend = { role: "user", message: { role: "user", content: text }, runId: rec.runId };
  const existing = deps.sessions.get(key);
  if (existing === undefined) {
    const session = deps.atomic(() => {
      const s = deps.sessions.ensure(key, agent.id);
      deps.transcripts.append(key, s.sessionId, [user]);
      return s;
    });
    return { session, history: [] };
  }
  const session = unexpired(deps, existing, agent.id);
  const loaded = await loadHistory(deps, session);
  const earlier =
    input.retryOf === undefined ? undefined : earlierAttempt(deps, session, input.retryOf, text);
  if (earlier?.answer !== undefined) return { session, history: loaded.messages, answered: earlier.answer };
  if (earlier !== undefined) {
    // The message is stored already: answer it, without compacting around it this turn.
    const last = loaded.ids.length - 1;
    const history = loaded.ids[last] === earlier.id ? loaded.messages.slice(0, last) : loaded.messages;
    return { session, history };
  }
  const { history } = await compactSession(deps, session, loaded, chain, { signal: input.signal });
  deps.transcripts.append(key, session.sessionId, [user]);
  return { session, history };
}

/** How far an earlier attempt at the same inbound message got, from the session's transcript. */
interface EarlierAttempt {
  /** Transcript id of its user entry. */
  readonly id: number;
  /** The answer it stored, when it completed (only the reply was not delivered). */
  readonly answer?: string | undefined;
}

/**
 * The earlier attempt at this message, when the session's newest entries are its own: its user
 * entry alone (the process stopped before an answer was stored) or followed by its run's
 * messages ending in an answer (it stopped before the reply went out). Else undefined: the
 * message is handled as new.
 */
function earlierAttempt(
  deps: AgentServiceDeps,
  session: SessionRow,
  retryOf: string,
  text: string,
): EarlierAttempt | undefined {
  const ours = (runId: string | null | undefined) =>
    runId === retryOf || (runId?.startsWith(`${retryOf}:`) ?? false);
  const recent = deps.transcripts.recent(session.sessionId, { limit: 64 });
  let i = recent.length;
  while (i > 0 && ours(recent[i - 1]?.runId)) i--;
  // Its own entries, oldest first: the user entry, then what a later attempt stored after it.
  const [first, ...after] = recent.slice(i);
  if (first === undefined || first.kind !== "message" || first.role !== "user") return undefined;
  if ((first.message as { content?: unknown } | null)?.content !== text) return undefined;
  const last = after.at(-1);
  if (last === undefined) return { id: first.id };
  return last.role === "assistant" && last.kind === "message"
    ? { id: first.id, answer: messageText(last.message) }
    : undefined;
}

function errorKindOf(result: AgentResult): ChatErrorKind {
  if (result.finishReason === "timeout") return "timeout";
  const failures = (result.error?.details?.failures ?? []) as Array<{ status?: number }>;
  return failures.some((f) => f.status === 429) ? "rate_limit" : "unknown";
}

/** Input of {@link runTurn}. */
export interface TurnInput {
  readonly rec: RunRecord;
  readonly agent: AgentProfile;
  readonly text: string;
  readonly signal: AbortSignal;
  readonly events: ChatRunEvents;
  readonly timeoutMs?: number | undefined;
  /** False: ask the model for one answer instead of a stream (nobody watches it). Default true. */
  readonly stream?: boolean | undefined;
  /** Set on a retry of one inbound message: see `StartRunInput.retryOf` (service.ts). */
  readonly retryOf?: string | undefined;
}

/**
 * One agent turn inside the session's lane: fresh-or-current session, compaction if needed, the
 * user message persisted before the model is called, the run, its messages and usage
 * persisted, and exactly one terminal `chat` event. Never throws.
 */
export async function runTurn(deps: AgentServiceDeps, input: TurnInput): Promise<RunOutcome> {
  const { rec, agent, text, events } = input;
  const key = rec.sessionKey;
  try {
    const refusal = deps.refuseAgent?.(agent.id);
    if (refusal !== undefined) {
      deps.logger.warn({ runId: rec.runId, sessionKey: key, agentId: agent.id }, "agent refused");
      events.error(refusal, "refusal");
      return { status: "error", text: refusal, stopReason: "refused", error: "refusal" };
    }
    const chain = deps.chainFor(agent);
    const { session, history, answered } = await openTurn(deps, input, chain);
    if (answered !== undefined) {
      // An earlier attempt stored this answer; only its delivery was cut short.
      events.final(answered, "stop");
      return { status: "ok", text: answered, stopReason: "stop" };
    }
    const system = chain.length === 0 ? undefined : await deps.systemPrompt(agent);
    const result = await runAgent({
      models: chain,
      system,
      history,
      message: text,
      tools: deps.tools({ agentId: agent.id, sessionKey: key }),
      maxSteps: deps.maxSteps,
      timeoutMs: input.timeoutMs ?? deps.timeoutMs,
      abortSignal: input.signal,
      toolContext: {
        sessionKey: key,
        agentId: agent.id,
        runId: rec.runId,
        session: {
          sessionKey: key,
          agentId: agent.id,
          model: chain[0]?.ref,
          runs: session.runs,
          totalTokens: session.totalTokens,
        },
      },
      provider: {
        ...deps.provider,
        ...(input.stream === false ? { stream: false } : {}),
        secrets: deps.registry.secrets(),
      },
      onDelta: (d) => events.delta(d),
      onUnknownTool:
        deps.refuseTool === undefined
          ? undefined
          : (c) => deps.refuseTool?.({ agentId: agent.id, sessionKey: key, runId: rec.runId }, c) ?? "",
      onToolCall: (c) =>
        deps.emit("agent", {
          runId: rec.runId,
          sessionKey: key,
          stream: "tool",
          ts: deps.now(),
          data: { phase: "call", ...c },
        }),
      onToolResult: (r) =>
        deps.emit("agent", {
          runId: rec.runId,
          sessionKey: key,
          stream: "tool",
          ts: deps.now(),
          data: { phase: "result", toolCallId: r.toolCallId, toolName: r.toolName, ok: r.ok },
        }),
    });
    return finishTurn(deps, input, session, result);
  } catch (err) {
    deps.logger.error({ runId: rec.runId, sessionKey: key, err }, "agent turn failed");
    events.error(DEFAULT_APOLOGY, "unknown");
    return { status: "error", text: DEFAULT_APOLOGY, stopReason: "error", error: "internal error" };
  }
}

function finishTurn(
  deps: AgentServiceDeps,
  input: TurnInput,
  session: SessionRow,
  result: AgentResult,
): RunOutcome {
  const { rec, events } = input;
  const rows = result.messages.slice(1);
  const last = rows.at(-1);
  const shown = result.text;
  if (
    shown !== "" &&
    (result.finishReason === "error" ||
      result.finishReason === "timeout" ||
      result.finishReason === "aborted")
  ) {
    if (!(last?.role === "assistant" && messageText(last) === shown))
      rows.push({ role: "assistant", content: shown });
  }
  const model = result.modelRefs.at(-1);
  const endedAt = deps.now();
  const base = { text: shown, usage: result.usage, model };
  const noModel = result.error?.code === "PAL_PROVIDER_NO_MODEL";
  let outcome: RunOutcome;
  let announce: () => void;
  if (result.finishReason === "aborted") {
    outcome = { ...base, status: "aborted", stopReason: "aborted", error: "aborted" };
    announce = () => events.aborted(shown);
  } else if (noModel) {
    outcome = { ...base, status: "ok", stopReason: "no_model" };
    announce = () => events.final(shown, "no_model");
  } else if (result.error !== undefined) {
    deps.logger.error(
      {
        runId: rec.runId,
        sessionKey: rec.sessionKey,
        code: result.error.code,
        detail: result.error.message,
        failures: result.error.details?.failures,
      },
      "agent run failed",
    );
    const kind = errorKindOf(result);
    outcome = {
      ...base,
      status: kind === "timeout" ? "timeout" : "error",
      stopReason: result.finishReason,
      error: kind,
    };
    announce = () => events.error(shown, kind, result.usage);
  } else {
    outcome = { ...base, status: "ok", stopReason: result.finishReason };
    announce = () => events.final(shown, result.finishReason, result.usage);
  }
  // Persist first: a client that sees the terminal event and reads chat.history finds the answer.
  deps.atomic(() => {
    deps.transcripts.append(rec.sessionKey, session.sessionId, toTranscriptRows(rows, rec.runId));
    deps.sessions.recordRun(rec.sessionKey, model, result.usage);
    deps.usage.record({
      runId: rec.runId,
      sessionKey: rec.sessionKey,
      sessionId: session.sessionId,
      agentId: rec.agentId,
      model,
      status: outcome.status,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      totalTokens: result.usage.totalTokens,
      costUsd: result.usage.costUsd,
      startedAt: rec.startedAt ?? endedAt,
      endedAt,
    });
  });
  announce();
  return outcome;
}
