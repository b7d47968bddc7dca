import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { normalizeUpdate } from "./normalize.js";

const bot = { id: 777, username: "pal_bot" };
const base = (extra: Record<string, unknown>) =>
  ({
    update_id: 1,
    message: {
      message_id: 10,
      date: 1_700_000_000,
      chat: { id: -100, type: "supergroup", title: "G" },
      from: { id: 42, is_bot: false, first_name: "Mallory", username: "admin" },
      text: "hi @pal_bot",
      ...extra,
    },
  }) as unknown as Update;

describe("normalizeUpdate", () => {
  it("keys the sender on the numeric id, never the username or name", () => {
    const m = normalizeUpdate(base({}), "default", bot);
    expect(m?.senderId).toBe("42");
    expect(JSON.stringify(m)).not.toContain("admin");
    expect(JSON.stringify(m)).not.toContain("Mallory");
    expect(m?.messageId).toBe("-100:10");
    expect(m?.chatType).toBe("group");
  });

  it("flags mentions by entity, text mention and reply to the bot", () => {
    const entity = base({ entities: [{ type: "mention", offset: 3, length: 8 }] });
    expect(normalizeUpdate(entity, "a", bot)?.mention).toEqual({ entity: true, replyToBot: false });
    const textMention = base({
      text: "hey you",
      entities: [{ type: "text_mention", offset: 4, length: 3, user: { id: 777 } }],
    });
    expect(normalizeUpdate(textMention, "a", bot)?.mention.entity).toBe(true);
    const plain = base({ text: "hi @pal_bot" });
    expect(normalizeUpdate(plain, "a", bot)?.mention.entity).toBe(false);
    const reply = base({
      reply_to_message: {
        message_id: 9,
        date: 1,
        chat: { id: -100, type: "supergroup" },
        from: { id: 777, is_bot: true },
      },
    });
    expect(normalizeUpdate(reply, "a", bot)?.mention.replyToBot).toBe(true);
  });

  it("uses forum topics as threads and skips messages without text", () => {
    expect(normalizeUpdate(base({ is_topic_message: true, message_thread_id: 5 }), "a", bot)?.threadId).toBe(
      "5",
    );
    expect(normalizeUpdate(base({ text: undefined }), "a", bot)).toBeUndefined();
    expect(
      normalizeUpdate(
        base({ forward_origin: { type: "hidden_user", date: 1, sender_user_name: "x" } }),
        "a",
        bot,
      )?.forwarded,
    ).toBe(true);
  });
});
