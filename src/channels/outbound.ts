import type { OutboxChunk, OutboxStore } from "../store/index.js";
import { chunkText } from "./chunk.js";
import type { ChannelAdapter, InboundMessage, OutboundTarget } from "./types.js";

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

/**
 * Sends the chunks of a planned reply that are not marked sent, in order, marking each sent
 * right after the platform accepted it. A chunk with a platform id is the streaming draft: it is
 * edited into its final text instead of sent again.
 */
export async function deliverPlanned(
  adapter: ChannelAdapter,
  outbox: OutboxStore,
  msg: InboundMessage,
  chunks: readonly OutboxChunk[],
): Promise<void> {
  for (const c of chunks) {
    if (c.status === "sent") continue;
    const target = replyTarget(adapter, msg, c.seq);
    if (c.platformMessageId !== null) {
      await adapter.edit(target, c.platformMessageId, c.text);
      outbox.markSent(c.inboxId, c.seq, c.platformMessageId);
    } else {
      const sent = await adapter.send(target, c.text);
      outbox.markSent(c.inboxId, c.seq, sent.id);
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
): Promise<void> {
  const { maxTextLength, chunkMode } = adapter.limits;
  const planned = outbox.plan(inboxId, chunkText(text, maxTextLength, chunkMode));
  await deliverPlanned(adapter, outbox, msg, planned);
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
        const sent = await this.#adapter.send(target, text);
        this.#draftId = sent.id;
        this.#outbox.saveDraft(this.#inboxId, sent.id, text);
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
