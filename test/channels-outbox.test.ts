/**
 * The outbox's crash semantics on a real store, with an adapter that records what reaches the
 * "platform": a chunk recorded as sent is never sent again; a chunk whose send started without
 * a recorded outcome is re-sent once and reported; a refused send is not counted as uncertain;
 * a streaming preview with a recorded id is edited, never re-sent; the send gate holds one send
 * per account at a time.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ChannelAdapter,
  type ChannelLimits,
  deliverPlanned,
  deliverReply,
  type InboundMessage,
} from "../src/channels/index.js";
import { fail } from "../src/core/errors.js";
import { createInboxStore, createOutboxStore, openStore, type Store } from "../src/store/index.js";

const limits: ChannelLimits = {
  maxTextLength: 10,
  chunkMode: "length",
  format: "plain",
  streaming: false,
  streamThrottleMs: 0,
  replyToMode: "first",
  maxConcurrentSends: 1,
};

/** An adapter whose sends are recorded; `refuse` makes the next send a 4xx. */
function platform() {
  const sent: string[] = [];
  const edits: Array<[string, string]> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let refuse = false;
  const adapter: ChannelAdapter = {
    channel: "test",
    accountId: "default",
    limits,
    start: async () => {},
    stop: async () => {},
    async send(_t, text) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (refuse) {
        refuse = false;
        throw fail("PAL_CHANNEL_REJECTED", { channel: "test", method: "send", detail: "bad request" });
      }
      sent.push(text);
      return { id: String(sent.length) };
    },
    async edit(_t, id, text) {
      edits.push([id, text]);
    },
    typing: async () => {},
    health: () => {
      throw new Error("unused");
    },
  };
  return {
    adapter,
    sent,
    edits,
    maxInFlight: () => maxInFlight,
    refuseNext: () => {
      refuse = true;
    },
  };
}

function setup(): { store: Store; inboxId: (mid: string) => number; msg: InboundMessage } {
  const store = openStore({ file: join(mkdtempSync(join(tmpdir(), "pal-outbox-")), "state.sqlite") });
  const inbox = createInboxStore(store);
  const msg: InboundMessage = {
    channel: "test",
    accountId: "default",
    messageId: "m",
    platformMessageId: "1",
    chatId: "c",
    chatType: "direct",
    senderId: "u",
    senderIsBot: false,
    text: "hi",
    sentAt: 0,
    mention: { entity: false, replyToBot: false },
    edited: false,
    forwarded: false,
  };
  const inboxId = (mid: string) =>
    inbox.insert([{ ...msg, messageId: mid, payload: { ...msg, messageId: mid } }]).inserted[0]?.id ?? -1;
  return { store, inboxId, msg };
}

describe("outbox crash semantics", () => {
  it("re-sends only the chunk whose send had no recorded outcome, once, and reports it", async () => {
    const { store, inboxId, msg } = setup();
    const outbox = createOutboxStore(store);
    const id = inboxId("a");
    const chunks = outbox.plan(id, ["one", "two", "three"]);
    // Before the "crash": chunk 0 sent and recorded, chunk 1's send started, chunk 2 untouched.
    outbox.markSending(id, 0, "one");
    outbox.markSent(id, 0, "100");
    outbox.markSending(id, 1, "two");
    expect(chunks).toHaveLength(3);

    const p = platform();
    const uncertain: number[] = [];
    await deliverPlanned(p.adapter, outbox, msg, outbox.chunks(id), {
      onUncertain: (c) => uncertain.push(c.seq),
    });
    expect(p.sent).toEqual(["two", "three"]);
    expect(uncertain).toEqual([1]);
    expect(outbox.chunks(id).map((c) => [c.status, c.sendAttempts])).toEqual([
      ["sent", 1],
      ["sent", 2],
      ["sent", 1],
    ]);
    // A later restart finds everything sent: nothing goes out again.
    await deliverPlanned(p.adapter, outbox, msg, outbox.chunks(id));
    expect(p.sent).toEqual(["two", "three"]);
  });

  it("a refused send is not uncertain; a recorded preview is edited, not re-sent", async () => {
    const { store, inboxId, msg } = setup();
    const outbox = createOutboxStore(store);
    const p = platform();
    const id = inboxId("b");
    p.refuseNext();
    await expect(deliverReply(p.adapter, outbox, id, msg, "short")).rejects.toThrow(/bad request/);
    const [c0] = outbox.chunks(id);
    expect(c0).toMatchObject({ status: "pending", sendStartedAt: null, sendAttempts: 0 });

    const id2 = inboxId("c");
    outbox.markSending(id2, 0, "partial");
    outbox.saveDraft(id2, "55", "partial");
    await deliverReply(p.adapter, outbox, id2, msg, "final");
    expect(p.sent).toEqual([]);
    expect(p.edits).toEqual([["55", "final"]]);
    expect(outbox.chunks(id2)[0]).toMatchObject({ status: "sent", platformMessageId: "55" });
  });

  it("holds one send in flight per account across concurrent replies", async () => {
    const { store, inboxId, msg } = setup();
    const outbox = createOutboxStore(store);
    const p = platform();
    const ids = ["d", "e", "f", "g"].map(inboxId);
    await Promise.all(ids.map((id) => deliverReply(p.adapter, outbox, id, msg, "0123456789abcdefghij")));
    expect(p.sent).toHaveLength(4 * outbox.chunks(ids[0] ?? -1).length);
    expect(p.maxInFlight()).toBe(1);
  });
});
