/**
 * Telegram through the real adapter (grammY against the Bot API emulator), the real ingress
 * pipeline and the real agent runtime against the OpenAI emulator, in one process.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createInboxStore } from "../src/store/index.js";
import { type ChannelHarness, startChannelHarness, until } from "./emulators/telegram/harness.js";

let h: ChannelHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const dm = (id: number, text: string) => ({
  chatId: id,
  from: { id, username: `user${id}`, first_name: "Eve" },
  text,
});

describe("telegram channel", () => {
  it("answers a DM through the model, threaded to the message, keyed on the numeric user id", async () => {
    h = await startChannelHarness();
    const mid = h.tg.inject(dm(4242, "hello there"));
    const [reply] = await until(() => {
      const r = h?.tg.repliesTo(4242, mid) ?? [];
      return r.length > 0 && r;
    });
    expect(reply?.text).toBe("echo: hello there");
    expect(reply?.replyTo).toBe(mid);
    await h.manager.pipeline.idle();
    const row = createInboxStore(h.gw.store).open({ limit: 10 });
    expect(row).toEqual([]);
    const done = h.gw.store.statement("SELECT sender_id, status FROM channel_inbox").all();
    expect(done).toEqual([{ sender_id: "4242", status: "done" }]);
    const keys = h.gw.store.statement("SELECT key FROM sessions").all() as Array<{ key: string }>;
    expect(keys.map((k) => k.key)).toContain("agent:main:telegram:direct:4242");
    expect(JSON.stringify(keys)).not.toContain("user4242");
    // No streaming preview (streamMode off): the model is asked for one answer, not a stream.
    expect(h.llm.requests.map((r) => r.body.stream === true)).toEqual([false]);
  });

  it("splits long replies at the limit on safe boundaries and formats Markdown as HTML", async () => {
    h = await startChannelHarness({ telegram: { textChunkLimit: 1000 } });
    const para = `${"word ".repeat(150).trim()}.`;
    h.llm.handle(() => ({ text: `**Title**\n\n${[para, para, para].join("\n\n")}`, chunks: 4 }));
    const mid = h.tg.inject(dm(5, "long please"));
    const replies = await until(() => {
      const all = h?.tg.sent.filter((b) => b.chatId === "5") ?? [];
      return all.length >= 3 && all;
    });
    await h.manager.pipeline.idle();
    expect(h.tg.sent.filter((b) => b.chatId === "5")).toHaveLength(3);
    expect(replies.map((r) => r.replyTo)).toEqual([mid, undefined, undefined]);
    for (const r of replies) {
      expect(r.text.length).toBeLessThanOrEqual(1000);
      expect(r.text.endsWith(".")).toBe(true);
      expect(r.parseMode).toBe("HTML");
    }
    expect(replies[0]?.text.startsWith("<b>Title</b>\n\nword word")).toBe(true);
  });

  it("falls back to plain text when Telegram rejects the markup", async () => {
    h = await startChannelHarness();
    h.tg.rejectMarkup = true;
    h.llm.handle(() => ({ text: "**bold** <tag> & more", chunks: 1 }));
    const mid = h.tg.inject(dm(6, "x"));
    const [reply] = await until(() => {
      const r = h?.tg.repliesTo(6, mid) ?? [];
      return r.length > 0 && r;
    });
    expect(reply?.parseMode).toBeUndefined();
    expect(reply?.text).toBe("**bold** <tag> & more");
  });

  it("honours 429 retry_after and retries 500s and dropped connections on send", async () => {
    h = await startChannelHarness();
    h.tg.fail("sendMessage", { status: 429, retryAfter: 1 });
    h.tg.fail("sendMessage", { status: 500 });
    h.tg.fail("sendMessage", { drop: true });
    const mid = h.tg.inject(dm(7, "rate me"));
    const [reply] = await until(() => {
      const r = h?.tg.repliesTo(7, mid) ?? [];
      return r.length > 0 && r;
    });
    expect(reply?.text).toBe("echo: rate me");
    expect(h.tg.calls.get("sendMessage")).toBe(4);
    expect(h.tg.repliesTo(7, mid)).toHaveLength(1);
    expect(h.gw.logs.some((l) => l.msg === "telegram rate limit; waiting" && l.retryAfterSeconds === 1)).toBe(
      true,
    );
  });

  it("reconnects after failed polls, counts it in health, and never shows the token", async () => {
    h = await startChannelHarness();
    await until(() => h?.manager.status().find((s) => s.channel === "telegram")?.connected);
    h.tg.fail("getUpdates", { drop: true });
    h.tg.fail("getUpdates", { status: 500 });
    h.tg.fail("getUpdates", { status: 401, description: "Unauthorized" });
    h.tg.wakeAll();
    const errored = await until(() => {
      const s = h?.manager.status().find((x) => x.channel === "telegram");
      return s !== undefined && s.reconnects >= 3 && s;
    });
    expect(errored.lastError).not.toBeNull();
    const mid = h.tg.inject(dm(8, "after"));
    await until(() => (h?.tg.repliesTo(8, mid).length ?? 0) > 0);
    const healthy = await until(() => {
      const s = h?.manager.status().find((x) => x.channel === "telegram");
      return s?.connected === true && s;
    });
    expect(healthy.identity?.username).toBe("palisade_test_bot");
    expect(healthy.inbox.done).toBe(1);
    const everything = JSON.stringify([h.gw.logs, h.manager.status()]);
    expect(everything).not.toContain(h.tg.token);
    expect(everything).not.toContain(h.tg.token.split(":")[1]);
  });

  it("dead-letters a message whose reply keeps failing, and shows it to the operator", async () => {
    h = await startChannelHarness({ telegram: { maxAttempts: 2 } });
    h.tg.fail("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" }, 2);
    const mid = h.tg.inject(dm(9, "doomed"));
    const [dead] = await until(() => {
      const d = h?.manager.deadLetters() ?? [];
      return d.length > 0 && d;
    });
    expect(dead?.messageId).toBe(`9:${mid}`);
    expect(dead?.attempts).toBe(2);
    expect(dead?.lastError).toContain("blocked");
    expect(h.gw.logs.some((l) => l.msg === "channel message dead-lettered")).toBe(true);
    expect(h.manager.requeue(dead?.id ?? 0)).toBe(true);
    await until(() => (h?.tg.repliesTo(9, mid).length ?? 0) > 0);
  });

  it("threads replies into forum topics and keys the session on the topic", async () => {
    h = await startChannelHarness();
    const mid = h.tg.inject({
      chatId: -100123,
      chatType: "supergroup",
      threadId: 77,
      from: { id: 11 },
      text: "in a topic",
    });
    const [reply] = await until(() => {
      const r = h?.tg.repliesTo(-100123, mid) ?? [];
      return r.length > 0 && r;
    });
    expect(reply?.threadId).toBe(77);
    const keys = h.gw.store.statement("SELECT key FROM sessions").all() as Array<{ key: string }>;
    expect(keys.map((k) => k.key)).toContain("agent:main:telegram:group:-100123:thread:77");
  });

  it("streams a slow reply by throttled edits of one message", async () => {
    h = await startChannelHarness({ telegram: { streamMode: "partial", streamThrottleMs: 250 } });
    h.llm.handle(() => ({ text: "one two three four five six seven eight", chunks: 8, delayMs: 120 }));
    const mid = h.tg.inject(dm(12, "stream"));
    await until(() => h?.manager.status().find((s) => s.channel === "telegram")?.inbox.done === 1);
    const replies = h.tg.sent.filter((b) => b.chatId === "12");
    expect(replies).toHaveLength(1);
    expect(replies[0]?.replyTo).toBe(mid);
    expect(replies[0]?.text).toBe("one two three four five six seven eight");
    expect(replies[0]?.history.length).toBeGreaterThan(1);
    expect(h.llm.requests.map((r) => r.body.stream === true)).toEqual([true]);
  });
});
