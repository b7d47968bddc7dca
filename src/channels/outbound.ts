import { PalisadeError } from "../core/errors.js";
import { type OutboxChunk, type OutboxStore, sendUncertain } from "../store/index.js";
import { chunkText } from "./chunk.js";
import { sendGateOf } from "./send-gate.js";
import type { ChannelAdapter, InboundMessage, OutboundTarget, SentMessage } from "./types.js";

/** The target of chunk `seq` of a reply to `msg`, threaded per the channel's replyToMode. */
export function replyTarget(adapter: ChannelAdapter, msg: InboundMessage, seq: number): OutboundTarget {
  const mode = adapter.limits.replyToMode;
  const thread = mode === "all" || (mode === "first" && seq === 0);
  return {
    chatId: msg.chatId,
    ...(msg.threadId === undefined ? {} : { threadId: msg.threadId }),
    ...(thread ? { replyTo: msg.platformMessageId } : {}),
  };
}

/** Hooks of {@link deliverPlanned}. */
export interface DeliverHooks {
  /** Called before a chunk whose earlier send has no recorded outcome is sent again. */
  readonly onUncertain?: ((chunk: OutboxChunk) => void) | undefined;
  /**
   * Store writes to commit with the last chunk's "sent" mark (marking the inbox row done), or
   * at once when nothing was left to send. Synchronous: it runs inside a transaction.
   */
  readonly done?: (() => void) | undefined;
}

/** True for a store error that a later retry can get past (another writer holds the lock). */
function isStoreBusy(err: unknown): boolean {
  if (err instanceof PalisadeError) return err.code === "PAL_STORE_BUSY";
  const e = err as { errcode?: number; message?: string };
  return e?.errcode === 5 || e?.errcode === 6 || /database is (locked|busy)/i.test(e?.message ?? "");
}

/**
 * Runs a store write, retrying while the store is busy (backoff up to 2 s, about 2 minutes in
 * all); any other failure, or a store still busy after that, is thrown.
 */
async function untilStored(write: () => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      write();
      return;
    } catch (err) {
      if (!isStoreBusy(err) || attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
    }
  }
}

/**
 * Sends one new message through the account's send gate, recording the start of the send in the
 * outbox right before the request and the platform's id right after it: only a crash between
 * those two writes can leave a copy on the platform the outbox does not know about.
 */
export async function sendRecorded(
  adapter: ChannelAdapter,
  outbox: OutboxStore,
  chunk: { inboxId: number; seq: number; text: string },
  target: OutboundTarget,
  record: (platformMessageId: string) => void,
): Promise<string> {
  const release = await sendGateOf(adapter).acquire();
  try {
    outbox.markSending(chunk.inboxId, chunk.seq, chunk.text);
    let sent: SentMessage;
    try {
      sent = await adapter.send(target, chunk.text);
    } catch (err) {
      // The platform answered no: nothing was posted, so the retry is not a possible duplicate.
      if (err instanceof PalisadeError && err.code === "PAL_CHANNEL_REJECTED")
        outbox.clearSending(chunk.inboxId, chunk.seq);
      throw err;
    }
    // The platform has the message now: a busy store must not turn this into "outcome unknown"
    // (which a retry would re-send), so the record is retried until the store takes it.
    await untilStored(() => record(sent.id));
    return sent.id;
  } finally {
    release();
  }
}

/**
 * Sends the chunks of a planned reply that are not marked sent, in order, marking each sent
 * right after the platform accepted it. A chunk with a platform id is the streaming draft: it is
 * edited into its final text instead of sent again (an edit to the same text is harmless).
 * A chunk whose earlier send has no recorded outcome is sent again: losing an answer is worse
 * than the rare duplicate, and `onUncertain` reports each such case.
 */
export async function deliverPlanned(
  adapter: ChannelAdapter,
  outbox: OutboxStore,
  msg: InboundMessage,
  chunks: readonly OutboxChunk[],
  hooks: DeliverHooks = {},
): Promise<void> {
  const todo = chunks.filter((c) => c.status !== "sent");
  if (todo.length === 0) hooks.done?.();
  for (const [i, c] of todo.entries()) {
    const also = i === todo.length - 1 ? hooks.done : undefined;
    const target = replyTarget(adapter, msg, c.seq);
    if (c.platformMessageId !== null) {
      await adapter.edit(target, c.platformMessageId, c.text);
      const id = c.platformMessageId;
      await untilStored(() => outbox.markSent(c.inboxId, c.seq, id, also));
    } else {
      if (sendUncertain(c)) hooks.onUncertain?.(c);
      await sendRecorded(adapter, outbox, c, target, (id) => outbox.markSent(c.inboxId, c.seq, id, also));
    }
  }
}

/** Records the reply as chunks at the channel's limit and delivers them. */
export async function deliverReply(
  adapter: ChannelAdapter,
  outbox: OutboxStore,
  inboxId: number,
  msg: InboundMessage,
  text: string,
  hooks: DeliverHooks = {},
): Promise<void> {
  const { maxTextLength, chunkMode } = adapter.limits;
  const planned = outbox.plan(inboxId, chunkText(text, maxTextLength, chunkMode));
  await deliverPlanned(adapter, outbox, msg, planned, hooks);
}

/**
 * Streams a reply by throttled edits of one message: nothing is sent before `throttleMs` has
 * passed (a quick answer is one plain send), then a draft is sent and recorded in the outbox,
 * then edited at most once per `throttleMs`. Failures only stop the preview; the final
 * delivery still happens. Operations run one at a time.
 */
export class StreamDraft {
  readonly #adapter: ChannelAdapter;
  readonly #outbox: OutboxStore;
  readonly #inboxId: number;
  readonly #msg: InboundMessage;
  readonly #now: () => number;
  readonly #startedAt: number;
  #draftId: string | null;
  #shown = "";
  #latest = "";
  #lastAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    adapter: ChannelAdapter,
    outbox: OutboxStore,
    inboxId: number,
    msg: InboundMessage,
    opts: { now?: () => number; draftId?: string | null } = {},
  ) {
    this.#adapter = adapter;
    this.#outbox = outbox;
    this.#inboxId = inboxId;
    this.#msg = msg;
    this.#now = opts.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#draftId = opts.draftId ?? null;
  }

  /** New text so far. */
  update(text: string): void {
    if (this.#closed) return;
    this.#latest = text;
    if (this.#timer !== undefined) return;
    const throttle = this.#adapter.limits.streamThrottleMs;
    const due = Math.max(this.#startedAt, this.#lastAt) + throttle - this.#now();
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#chain = this.#chain.then(() => this.#flush());
      },
      Math.max(0, due),
    );
  }

  async #flush(): Promise<void> {
    const limit = this.#adapter.limits.maxTextLength;
    const text = this.#latest.trim().slice(0, limit);
    if (this.#closed || text === "" || text === this.#shown) return;
    this.#lastAt = this.#now();
    const target = replyTarget(this.#adapter, this.#msg, 0);
    try {
      if (this.#draftId === null) {
        const chunk = { inboxId: this.#inboxId, seq: 0, text };
        this.#draftId = await sendRecorded(this.#adapter, this.#outbox, chunk, target, (id) =>
          this.#outbox.saveDraft(this.#inboxId, id, text),
        );
      } else {
        await this.#adapter.edit(target, this.#draftId, text);
      }
      this.#shown = text;
    } catch {
      // The preview is best effort; the final delivery reports real failures.
      this.#closed = true;
    }
  }

  /** Stops streaming and waits for an edit in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }
}
