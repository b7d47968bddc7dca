import type { Message, MessageEntity, Update } from "grammy/types";
import { type InboundMessage, MAX_INBOUND_TEXT_CHARS } from "../types.js";

/** The bot as getMe described it. */
export interface BotIdentity {
  readonly id: number;
  readonly username?: string | undefined;
}

/** The update kinds Palisade asks Telegram for. */
export const ALLOWED_UPDATES = ["message", "channel_post"] as const;

function entityText(text: string, e: MessageEntity): string {
  return text.slice(e.offset, e.offset + e.length);
}

/** A mention entity naming the bot: `@username`, a text mention of its id, or `/cmd@username`. */
function mentionsBot(text: string, entities: readonly MessageEntity[], bot: BotIdentity): boolean {
  const handle = bot.username === undefined ? undefined : `@${bot.username.toLowerCase()}`;
  return entities.some((e) => {
    if (e.type === "text_mention") return e.user.id === bot.id;
    if (handle === undefined) return false;
    const t = entityText(text, e).toLowerCase();
    if (e.type === "mention") return t === handle;
    if (e.type === "bot_command") return t.endsWith(handle);
    return false;
  });
}

function chatTypeOf(msg: Message): InboundMessage["chatType"] {
  if (msg.chat.type === "private") return "direct";
  return msg.chat.type === "channel" ? "channel" : "group";
}

/**
 * Turns a Bot API update into a normalized message, or undefined for what Palisade does not
 * handle (no text or caption, service messages). The sender is `from.id` (for channel posts the
 * posting chat's id); usernames and names are deliberately dropped. The dedupe id is
 * `<chat id>:<message id>`, which a redelivered update repeats exactly.
 */
export function normalizeUpdate(
  update: Update,
  accountId: string,
  bot: BotIdentity,
): InboundMessage | undefined {
  const msg = update.message ?? update.channel_post;
  if (msg === undefined) return undefined;
  const text = msg.text ?? msg.caption;
  if (text === undefined || text.trim() === "") return undefined;
  const sender = msg.from?.id ?? msg.sender_chat?.id ?? msg.chat.id;
  const entities = msg.entities ?? msg.caption_entities ?? [];
  const reply = msg.reply_to_message;
  const threadId =
    msg.is_topic_message === true && msg.message_thread_id !== undefined ? msg.message_thread_id : undefined;
  return {
    channel: "telegram",
    accountId,
    messageId: `${msg.chat.id}:${msg.message_id}`,
    platformMessageId: String(msg.message_id),
    chatId: String(msg.chat.id),
    chatType: chatTypeOf(msg),
    ...(threadId === undefined ? {} : { threadId: String(threadId) }),
    senderId: String(sender),
    senderIsBot: msg.from?.is_bot === true,
    text: text.slice(0, MAX_INBOUND_TEXT_CHARS),
    sentAt: msg.date * 1000,
    mention: {
      entity: mentionsBot(text, entities, bot),
      replyToBot: reply?.from?.id === bot.id,
    },
    ...(reply === undefined
      ? {}
      : {
          replyTo: {
            messageId: String(reply.message_id),
            ...(reply.from === undefined ? {} : { senderId: String(reply.from.id) }),
          },
        }),
    edited: msg.edit_date !== undefined,
    forwarded: msg.forward_origin !== undefined,
  };
}
