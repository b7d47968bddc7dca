import {
  type InboxRow,
  type InboxStore,
  type OutboxChunk,
  type OutboxStore,
  sendUncertain,
} from "../store/index.js";
import type { AgentRunPort } from "./agent-port.js";
import { type BackoffOptions, backoffDelay, sleep } from "./backoff.js";
import type { GateHook, RouteFn } from "./gate.js";
import { deliverPlanned, deliverReply, StreamDraft } from "./outbound.js";
import { BACKLOG_STAGE, OverloadRefuser } from "./overload.js";
import { type ChannelAdapter, type InboundMessage, inboundMessageSchema } from "./types.js";
import { startTyping } from "./typing.js";
import { WEBCHAT_CHANNEL } from "./webchat/ingress.js";

/** The logger calls the pipeline makes (pino's shape). */
export interface PipelineLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What the pipeline works with. */
export interface PipelineDeps {
  readonly inbox: InboxStore;
  readonly outbox: OutboxStore;
  readonly agent: AgentRunPort;
  /** Read per message, so a config reload (or issue 7's gate) applies to the next one. */
  readonly gate: () => GateHook;
  readonly route: () => RouteFn;
  /** The running adapter of a channel account; undefined parks its messages until it starts. */
  readonly adapter: (channel: string, accountId: string) => ChannelAdapter | undefined;
  readonly logger: PipelineLogger;
  /** Attempts before a message is dead-lettered. */
  readonly maxAttempts: (channel: string, accountId: string) => number;
  /** Messages processed at once across conversations. Default 64. */
  readonly maxConcurrent?: number | undefined;
  /** Delay between attempts of a failing message. */
  readonly retry?: BackoffOptions | undefined;
  /** Redacts error text before it is stored or logged. */
  readonly redact?: ((text: string) => string) | undefined;
  /** Refreshes the typing indicator this often while a run is in progress, ms. Default 4000. */
  readonly typingEveryMs?: number | undefined;
  /**
   * Shows the typing indicator only once a run took this long, ms. Default 300: a reply that
   * is faster needs no indicator, and skipping it saves one platform call per message.
   */
  readonly typingDelayMs?: number | undefined;
  /**
   * Overload hook: the name of an overloaded stage (e.g. the agent's full run queue) while new
   * work must be refused, else undefined. Read for every new message. Default never.
   */
  readonly overload?: (() => string | undefined) | undefined;
  /** Messages queued or in progress before new ones are refused as overload. Default 10,000. */
  readonly maxBacklog?: number | undefined;
  /** What a refused sender is told, at most once per conversation per cooldown. */
  readonly busyText?: string | undefined;
  /** Cooldown of the busy notice per conversation, ms. Default 60,000. */
  readonly busyCooldownMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** Interrupted attempts (process stopped mid-attempt) tolerated beyond maxAttempts. */
export const INTERRUPTED_ALLOWANCE = 10;

/** Raised inside processing when the pipeline stops mid-run: the row is released, not failed. */
class Stopping extends Error {}

/**
 * The ingress pipeline: inbox -> gate -> route -> agent lane -> outbound. Messages of one
 * conversation (channel, account, chat, thread) are processed one at a time in inbox order, so
 * per-sender order holds end to end; conversations run concurrently up to `maxConcurrent`.
 * Processing is at-least-once: a row is claimed (counting the attempt) before any work and
 * marked done only after the reply was recorded as sent; on start every open row resumes.
 */
export class ChannelPipeline {
  readonly #deps: PipelineDeps;
  readonly #maxConcurrent: number;
  readonly #queues = new Map<string, number[]>();
  readonly #ready: string[] = [];
  readonly #known = new Set<number>();
  readonly #stop = new AbortController();
  readonly #refuser: OverloadRefuser;
  #active = 0;
  #idle: Array<() => void> = [];

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
    this.#maxConcurrent = Math.max(1, deps.maxConcurrent ?? 64);
    this.#refuser = new OverloadRefuser({ ...deps, key: conversationOf });
  }

  /**
   * Persists messages (deduplicated) and queues the new ones. Resolves once they are committed:
   * the adapter may then acknowledge the platform. Invalid messages are logged and skipped.
   */
  async receive(msgs: readonly InboundMessage[]): Promise<void> {
    const valid: InboundMessage[] = [];
    for (const m of msgs) {
      const r = inboundMessageSchema.safeParse(m);
      if (r.success) valid.push(r.data);
      else
        this.#deps.logger.warn(
          { channel: m.channel, detail: r.error.issues[0]?.message },
          "invalid inbound message",
        );
    }
    if (valid.length === 0) return;
    const { inserted } = this.#deps.inbox.insert(
      valid.map((m) => ({
        channel: m.channel,
        accountId: m.accountId,
        messageId: m.messageId,
        senderId: m.senderId,
        chatId: m.chatId,
        payload: m,
      })),
    );
    for (const row of inserted) {
      const stage = this.overloaded();
      if (stage === undefined) this.#enqueue(row);
      else this.#refuser.refuse(row, stage, this.#deps.adapter(row.channel, row.accountId));
    }
  }

  /** Queues every open row (of one channel), e.g. after a restart or when its adapter started. */
  resume(channel?: string): number {
    let n = 0;
    for (const row of this.#deps.inbox.open(
      channel === undefined ? { limit: 10_000 } : { channel, limit: 10_000 },
    )) {
      if (this.#enqueue(row)) n++;
    }
    return n;
  }

  /** The overloaded stage while new messages are refused (own backlog first), else undefined. */
  overloaded(): string | undefined {
    if (this.#known.size >= (this.#deps.maxBacklog ?? 10_000)) return BACKLOG_STAGE;
    return this.#deps.overload?.();
  }

  /** Queued and in-progress messages, the backlog bound and messages refused as overload. */
  stats(): { queued: number; active: number; maxBacklog: number; refused: number } {
    return {
      queued: this.#known.size - this.#active,
      active: this.#active,
      maxBacklog: this.#deps.maxBacklog ?? 10_000,
      refused: this.#refuser.refused,
    };
  }

  /** Resolves when nothing is queued or in progress (tests, shutdown). */
  idle(): Promise<void> {
    if (this.#known.size === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  /** Stops taking work; runs in progress release their rows for the next start. */
  close(): void {
    this.#stop.abort();
  }

  #enqueue(row: InboxRow): boolean {
    if (this.#known.has(row.id) || this.#stop.signal.aborted) return false;
    // WS chat rows are run by the WebChat ingress (webchat/ingress.ts) under their own run ids.
    if (row.channel === WEBCHAT_CHANNEL) return false;
    if (this.#deps.adapter(row.channel, row.accountId) === undefined) return false;
    this.#known.add(row.id);
    const key = conversationOf(row);
    const q = this.#queues.get(key);
    if (q !== undefined) q.push(row.id);
    else {
      this.#queues.set(key, [row.id]);
      this.#ready.push(key);
      this.#pump();
    }
    return true;
  }

  #pump(): void {
    while (this.#active < this.#maxConcurrent && this.#ready.length > 0) {
      const key = this.#ready.shift() as string;
      this.#active++;
      void this.#drain(key).finally(() => {
        this.#active--;
        this.#pump();
        if (this.#known.size === 0) for (const r of this.#idle.splice(0)) r();
      });
    }
  }

  async #drain(key: string): Promise<void> {
    const q = this.#queues.get(key) ?? [];
    while (q.length > 0) {
      const id = q[0] as number;
      if (!this.#stop.signal.aborted) await this.#attempts(id);
      q.shift();
      this.#known.delete(id);
    }
    this.#queues.delete(key);
  }

  async #attempts(id: number): Promise<void> {
    const { inbox, logger } = this.#deps;
    const redact = this.#deps.redact ?? ((t: string) => t);
    for (;;) {
      const row = inbox.claim(id);
      if (row === undefined) return;
      const max = this.#deps.maxAttempts(row.channel, row.accountId);
      const base = { channel: row.channel, accountId: row.accountId, inboxId: id, attempt: row.attempts };
      // Attempts are counted at claim, so restarts that interrupt a message count too. A
      // message that takes the process down every time is dead-lettered, but only after
      // INTERRUPTED_ALLOWANCE extra starts, so a burst of restarts does not bury healthy ones.
      if (row.attempts > max + INTERRUPTED_ALLOWANCE) {
        inbox.failed(id, "attempts exhausted (the process stopped during each attempt)", max);
        logger.warn({ ...base, maxAttempts: max }, "channel message dead-lettered");
        return;
      }
      try {
        await this.#process(row);
        return;
      } catch (err) {
        if (err instanceof Stopping || this.#stop.signal.aborted) {
          inbox.release(id);
          return;
        }
        const detail = redact(err instanceof Error ? err.message : String(err));
        if (inbox.failed(id, detail, max) === "dead") {
          logger.warn({ ...base, maxAttempts: max, detail }, "channel message dead-lettered");
          return;
        }
        logger.warn({ ...base, detail }, "channel message failed; retrying");
        await sleep(backoffDelay(row.attempts - 1, this.#deps.retry), this.#stop.signal);
        if (this.#stop.signal.aborted) {
          inbox.release(id);
          return;
        }
      }
    }
  }

  async #process(row: InboxRow): Promise<void> {
    const { inbox, outbox } = this.#deps;
    const msg = inboundMessageSchema.parse(row.payload);
    const adapter = this.#deps.adapter(row.channel, row.accountId);
    if (adapter === undefined) throw new Stopping("channel stopped");
    const chunks = outbox.chunks(row.id);
    const hooks = {
      onUncertain: (c: OutboxChunk) => this.#uncertain(row, c.seq, "chunk"),
      done: () => inbox.complete(row.id),
    };
    if (chunks.some((c) => c.status !== "draft")) {
      // The reply was recorded before a restart: send what was not confirmed, never re-run.
      await deliverPlanned(adapter, outbox, msg, chunks, hooks);
      return;
    }
    const decision = await this.#deps.gate()(msg);
    if (decision.action === "drop") {
      const drop = () => inbox.drop(row.id, decision.reason);
      if (decision.reply === undefined) drop();
      else await deliverReply(adapter, outbox, row.id, msg, decision.reply, { ...hooks, done: drop });
      return;
    }
    const route = this.#deps.route()(msg, decision.agentId);
    const draft0 = chunks.find((c) => c.status === "draft");
    // A preview sent before a crash without its id recorded may be left in the chat.
    if (draft0 !== undefined && sendUncertain(draft0)) this.#uncertain(row, 0, "preview");
    const draftId = draft0?.platformMessageId ?? null;
    const draft = adapter.limits.streaming
      ? new StreamDraft(adapter, outbox, row.id, msg, { draftId })
      : undefined;
    const stopTyping = startTyping(adapter, msg, {
      everyMs: this.#deps.typingEveryMs,
      delayMs: this.#deps.typingDelayMs,
    });
    let result: Awaited<ReturnType<AgentRunPort["run"]>>;
    try {
      result = await this.#deps.agent.run({
        agentId: route.agentId,
        sessionKey: route.sessionKey,
        message: msg.text,
        idempotencyKey: `channel:${row.id}:${row.attempts}`,
        retryOf: row.attempts > 1 ? `channel:${row.id}` : undefined,
        owner: decision.owner === true,
        onText: draft === undefined ? undefined : (t) => draft.update(t),
      });
    } finally {
      stopTyping();
      await draft?.close();
    }
    if (this.#stop.signal.aborted) throw new Stopping("stopping");
    await deliverReply(adapter, outbox, row.id, msg, result.text, hooks);
  }

  /**
   * Reports a send whose outcome was not recorded (the process stopped while it was in flight,
   * or the request failed without an answer): the only way a reply can be duplicated. Logged at
   * warn with a stable message; the outbox's send_attempts counts them durably.
   */
  #uncertain(row: InboxRow, seq: number, kind: "chunk" | "preview"): void {
    const ids = { channel: row.channel, accountId: row.accountId, inboxId: row.id, seq, kind };
    this.#deps.logger.warn(ids, "reply send outcome unknown; sending again");
  }
}

/** The ordering key of a row: channel, account, chat and thread. */
function conversationOf(row: InboxRow): string {
  return `${row.channel}\u0000${row.accountId}\u0000${row.chatId}\u0000${threadOf(row)}`;
}

function threadOf(row: InboxRow): string {
  const t = (row.payload as { threadId?: unknown } | null)?.threadId;
  return typeof t === "string" ? t : "";
}
