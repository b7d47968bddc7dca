import { createHash } from "node:crypto";
import { z } from "zod";
import type { AgentService } from "../../agent/index.js";
import { fail } from "../../core/errors.js";
import { createInboxStore, type InboxRow, type InboxStore, type Store } from "../../store/index.js";
import type { PipelineLogger } from "../pipeline.js";

/** The inbox channel of WS chat (`chat.send`); the channel pipeline leaves these rows alone. */
export const WEBCHAT_CHANNEL = "webchat";
const ACCOUNT = "default";

/** Attempts (process starts during a run count) before a chat message is dead-lettered. */
export const WEBCHAT_MAX_ATTEMPTS = 5;
/** Longest wait for one run before the row is left for the next start, ms. */
const RUN_WAIT_MS = 15 * 60_000;

/** What `chat.send` asked for, as stored in the inbox payload. */
const payloadSchema = z.object({
  sessionKey: z.string().min(1).max(512),
  message: z.string(),
  timeoutMs: z.number().optional(),
  owner: z.boolean(),
});

/** One `chat.send` to persist and run. */
export type WebchatSend = z.output<typeof payloadSchema> & {
  readonly idempotencyKey: string;
  /** Who sent it (device or client id); kept for the operator, never used for access. */
  readonly senderId: string;
};

/** What `chat.send` answers: the run id (the idempotency key) and whether it is new. */
export interface WebchatAck {
  readonly runId: string;
  /** started: new run; in_flight: the same key is running (or resuming); ok: it already finished. */
  readonly status: "started" | "in_flight" | "ok";
}

/** Options of {@link WebchatIngress}. */
export interface WebchatIngressOptions {
  readonly store: Store;
  readonly service: AgentService;
  readonly logger: PipelineLogger;
  readonly now?: () => number;
}

/**
 * WebChat through the durable inbox, like the other channels: `chat.send` is inserted in the
 * inbox (deduplicated on its idempotencyKey, across restarts) before it is acknowledged, the run
 * id is the idempotency key (OpenClaw's shape), the row is done once the run ended (its answer is
 * in the transcript and went out as `chat` events), and unfinished rows resume on start under
 * the same run id. A key that already finished is never run again.
 */
export class WebchatIngress {
  readonly #inbox: InboxStore;
  readonly #service: AgentService;
  readonly #log: PipelineLogger;

  constructor(o: WebchatIngressOptions) {
    this.#inbox = createInboxStore(o.store, o.now === undefined ? {} : { now: o.now });
    this.#service = o.service;
    this.#log = o.logger;
  }

  /** Persists and starts a send; a repeated key answers from the inbox instead of running. */
  send(s: WebchatSend): WebchatAck {
    const key = this.#service.keyOf(s.sessionKey);
    const payload = { sessionKey: key, message: s.message, timeoutMs: s.timeoutMs, owner: s.owner };
    const { inserted } = this.#inbox.insert([
      {
        channel: WEBCHAT_CHANNEL,
        accountId: ACCOUNT,
        messageId: s.idempotencyKey,
        senderId: s.senderId.slice(0, 256) || "operator",
        chatId: chatIdOf(key),
        payload,
      },
    ]);
    const row = inserted[0];
    if (row === undefined) return this.#repeat(s.idempotencyKey, payload);
    return this.#start(row, payload) ?? { runId: s.idempotencyKey, status: "started" };
  }

  /** Starts every unfinished chat message under its original run id (gateway start). */
  resume(): number {
    let n = 0;
    for (const row of this.#inbox.open({ channel: WEBCHAT_CHANNEL, limit: 10_000 })) {
      const p = payloadSchema.safeParse(row.payload);
      if (!p.success) {
        this.#inbox.failed(row.id, "unreadable chat.send payload", 0);
        continue;
      }
      if (this.#start(row, p.data) === undefined) n++;
    }
    if (n > 0) this.#log.info({ resumed: n }, "resuming unfinished webchat messages");
    return n;
  }

  #repeat(runId: string, p: z.output<typeof payloadSchema>): WebchatAck {
    const row = this.#inbox.find(WEBCHAT_CHANNEL, ACCOUNT, runId);
    const was = payloadSchema.safeParse(row?.payload);
    if (!was.success || was.data.sessionKey !== p.sessionKey || was.data.message !== p.message)
      throw fail("PAL_PROTO_IDEMPOTENCY_REUSED", { key: runId.slice(0, 64) });
    const open = row?.status === "pending" || row?.status === "processing";
    return { runId, status: open ? "in_flight" : "ok" };
  }

  /** Claims and runs a row; returns an ack when the row was not startable (already running). */
  #start(row: InboxRow, p: z.output<typeof payloadSchema>): WebchatAck | undefined {
    const runId = row.messageId;
    if (this.#service.deps.runs.get(runId) !== undefined) return { runId, status: "in_flight" };
    const claimed = this.#inbox.claim(row.id);
    if (claimed === undefined) return { runId, status: "ok" };
    if (claimed.attempts > WEBCHAT_MAX_ATTEMPTS) {
      this.#inbox.failed(row.id, "attempts exhausted (the process stopped during each run)", 0);
      this.#log.warn({ channel: WEBCHAT_CHANNEL, inboxId: row.id }, "webchat message dead-lettered");
      return { runId, status: "ok" };
    }
    try {
      this.#service.start({
        sessionKey: p.sessionKey,
        message: p.message,
        idempotencyKey: runId,
        timeoutMs: p.timeoutMs,
        owner: p.owner,
        retryOf: claimed.attempts > 1 ? runId : undefined,
      });
    } catch (err) {
      // Refused before it started (a full lane): forgotten, so a retry with the key runs.
      this.#inbox.discard(row.id);
      throw err;
    }
    void this.#service.wait(runId, RUN_WAIT_MS).then(({ outcome }) => {
      if (outcome !== undefined) this.#inbox.complete(row.id);
    });
    return undefined;
  }
}

/** The inbox's chat id column is bounded; long session keys are stored as their hash. */
function chatIdOf(sessionKey: string): string {
  return sessionKey.length <= 256
    ? sessionKey
    : `sha256:${createHash("sha256").update(sessionKey).digest("hex")}`;
}
