import { fail } from "../core/errors.js";
import { chunkText } from "./chunk.js";
import type { ChannelRegistry } from "./registry.js";
import { sendGateOf } from "./send-gate.js";
import type { ChannelAdapter } from "./types.js";

/** A message to send outside a reply (the agent's `message` tool). */
export interface ChannelSendInput {
  readonly channel: string;
  /** The chat on that channel (Telegram: the numeric chat id). */
  readonly target: string;
  readonly text: string;
  /** The account to send from; needed only when the channel runs more than one. */
  readonly accountId?: string | undefined;
}

/** What the platform returned: the id of the first message sent (the text may be chunked). */
export interface ChannelSendResult {
  readonly messageId?: string | undefined;
}

/** Channels that deliver replies as events (WebChat) and cannot send to a target. */
const EVENT_ONLY = new Set(["webchat"]);

/**
 * Outbound sends that are not replies to an inbound message: the `message` tool's port. Which
 * targets are allowed is the caller's policy (`tools.message.allowTargets`, checked by the tool
 * before it calls here); this only finds the running account, chunks the text at the channel's
 * limit and sends through the account's send gate like replies do.
 */
export class ChannelSender {
  readonly #registry: ChannelRegistry;

  constructor(registry: ChannelRegistry) {
    this.#registry = registry;
  }

  /** Channel ids with at least one running account that can send to a target. */
  channels(): string[] {
    const ids = this.#registry
      .list()
      .filter((a) => !EVENT_ONLY.has(a.channel) && a.health().running)
      .map((a) => a.channel);
    return [...new Set(ids)];
  }

  /** Sends `text` (chunked at the channel's limit); throws PAL_CHANNEL_NOT_RUNNING when it cannot. */
  async send(input: ChannelSendInput): Promise<ChannelSendResult> {
    const adapter = this.#account(input.channel, input.accountId);
    const { maxTextLength, chunkMode } = adapter.limits;
    let first: string | undefined;
    for (const chunk of chunkText(input.text, maxTextLength, chunkMode)) {
      const release = await sendGateOf(adapter).acquire();
      try {
        const sent = await adapter.send({ chatId: input.target }, chunk);
        first ??= sent.id;
      } finally {
        release();
      }
    }
    return { messageId: first };
  }

  #account(channel: string, accountId: string | undefined): ChannelAdapter {
    const running = EVENT_ONLY.has(channel)
      ? []
      : this.#registry.list().filter((a) => a.channel === channel && a.health().running);
    if (accountId !== undefined) {
      const a = running.find((r) => r.accountId === accountId);
      if (a === undefined) throw fail("PAL_CHANNEL_NOT_RUNNING", { channel, detail: `account ${accountId}` });
      return a;
    }
    const only = running.length === 1 ? running[0] : running.find((r) => r.accountId === "default");
    if (only === undefined) {
      const detail = running.length === 0 ? "none is running" : "several run; name the accountId";
      throw fail("PAL_CHANNEL_NOT_RUNNING", { channel, detail });
    }
    return only;
  }
}
