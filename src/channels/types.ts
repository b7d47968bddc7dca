import { z } from "zod";

/** The kind of conversation a message came from (the session-key peer kinds). */
export type ChatType = "direct" | "group" | "channel";

/** Longest inbound text kept, characters (Telegram's own cap is 4096; captions 1024). */
export const MAX_INBOUND_TEXT_CHARS = 16_384;

/**
 * A normalized inbound message, as every adapter produces it and as the inbox stores it. The
 * sender is the platform's stable id (a Telegram numeric user id), never a username or display
 * name: access control and session keys key on it, and names can be changed by anyone.
 */
export const inboundMessageSchema = z.object({
  channel: z.string().min(1).max(64),
  accountId: z.string().min(1).max(128),
  /** Platform id of the message, stable across redeliveries (Telegram: `<chat id>:<message id>`). */
  messageId: z.string().min(1).max(256),
  /** The id to reply to on the platform (Telegram: message_id). */
  platformMessageId: z.string().min(1).max(64),
  chatId: z.string().min(1).max(256),
  chatType: z.enum(["direct", "group", "channel"]),
  /** Forum topic or thread id; part of the session key. */
  threadId: z.string().min(1).max(64).optional(),
  senderId: z.string().min(1).max(256),
  senderIsBot: z.boolean(),
  text: z.string().max(MAX_INBOUND_TEXT_CHARS),
  /** Platform send time, ms since epoch. */
  sentAt: z.number(),
  /** How the bot was addressed, for the group gate (issue 7 adds mentionPatterns on the text). */
  mention: z.object({
    /** A mention entity naming the bot (@username or text_mention of the bot's id). */
    entity: z.boolean(),
    /** A reply to one of the bot's messages. */
    replyToBot: z.boolean(),
  }),
  replyTo: z.object({ messageId: z.string(), senderId: z.string().optional() }).optional(),
  /** Edited and forwarded messages cannot carry a mention into a gated group. */
  edited: z.boolean(),
  forwarded: z.boolean(),
});

/** A normalized inbound message. */
export type InboundMessage = z.output<typeof inboundMessageSchema>;

/** Where a reply goes. */
export interface OutboundTarget {
  readonly chatId: string;
  readonly threadId?: string | undefined;
  /** Platform message id this reply answers (threaded reply), if any. */
  readonly replyTo?: string | undefined;
}

/** What the platform returned for a sent message. */
export interface SentMessage {
  /** Platform message id (to edit it, and for the outbox). */
  readonly id: string;
}

/** How text is marked up on the way out. */
export type OutboundFormat = "html" | "plain";

/** What a channel accepts; outbound reads it to chunk, stream and format. */
export interface ChannelLimits {
  /** Longest text per message, characters. */
  readonly maxTextLength: number;
  /** Split mode: near the limit, or at blank lines first. */
  readonly chunkMode: "length" | "newline";
  readonly format: OutboundFormat;
  /** Streaming by throttled edits of one message (needs `edit`). */
  readonly streaming: boolean;
  /** Least time between streaming edits, ms. */
  readonly streamThrottleMs: number;
  /** Which chunks are threaded to the message they answer. */
  readonly replyToMode: "off" | "first" | "all";
  /**
   * Sends (new messages) in flight at once for this account. Default 1: each one is a reply a
   * crash could duplicate, and platforms rate-limit a bot's sends far below what this allows.
   */
  readonly maxConcurrentSends?: number | undefined;
}

/** The truth about a channel account's connection, for `channels.status`. */
export interface ChannelHealth {
  readonly channel: string;
  readonly accountId: string;
  /** polling / webhook / internal (webchat). */
  readonly mode: string;
  /** Started and not stopped. */
  readonly running: boolean;
  /** The last platform call succeeded (and the channel is running). */
  readonly connected: boolean;
  /** Last successful poll or event, ms since epoch. */
  readonly lastSuccessAt: number | null;
  /** Last inbound message, ms since epoch. */
  readonly lastInboundAt: number | null;
  /** Last outbound message accepted by the platform, ms since epoch. */
  readonly lastOutboundAt: number | null;
  /** Last error (redacted), and when. */
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  /** Reconnects after a failure since start. */
  readonly reconnects: number;
  /** The platform's identity of the bot (e.g. Telegram id and username), once known. */
  readonly identity?: { readonly id: string; readonly username?: string | undefined } | undefined;
}

/**
 * Receives what an adapter read. `receive` resolves once the messages are persisted in the
 * inbox: only then may the adapter acknowledge the platform (advance its offset, answer 200).
 */
export interface InboundSink {
  receive(msgs: readonly InboundMessage[]): Promise<void>;
}

/**
 * The port every messaging channel implements. One instance per channel account. Adapters
 * never call the agent: they turn platform updates into {@link InboundMessage}s for the sink
 * and send what outbound asks them to.
 */
export interface ChannelAdapter {
  readonly channel: string;
  readonly accountId: string;
  readonly limits: ChannelLimits;
  /** Connects and starts reading; resolves once started (reading goes on in the background). */
  start(sink: InboundSink): Promise<void>;
  /** Stops reading and aborts in-flight polls; resolves when stopped. */
  stop(): Promise<void>;
  /** Sends text (Markdown from the model; the adapter formats it for the platform). */
  send(target: OutboundTarget, text: string): Promise<SentMessage>;
  /** Replaces the text of a sent message. */
  edit(target: OutboundTarget, messageId: string, text: string): Promise<void>;
  /** Shows a typing indicator (best effort). */
  typing(target: OutboundTarget): Promise<void>;
  health(): ChannelHealth;
}
