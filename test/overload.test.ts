/**
 * Overload: when runs queue beyond their bound, new work is refused politely instead of
 * queueing without limit. A WS `chat.send` gets a typed retryable error with retryAfterMs; a
 * Telegram sender gets one "busy" notice per cooldown (further messages in the cooldown are
 * dropped silently, never run); `/readyz` answers 503 naming the stage and `status` says so;
 * everything recovers once the queue drains. Real server, runtime, pipeline and emulators.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BUSY_TEXT } from "../src/channels/index.js";
import { lastUserText } from "./emulators/telegram/harness.js";
import { connect } from "./helpers/gateway.js";
import {
  dm,
  type ReliabilityHarness,
  startReliabilityHarness,
  until,
  untilAsync,
} from "./reliability.harness.js";

let h: ReliabilityHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url.replace("ws://", "http://")}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** No real retry waits; a stall timeout far above the slow model's pauses between events. */
const PATIENT = { sleep: async () => {}, maxAttempts: 1, stallTimeoutMs: 30_000 } as const;

/** Runs whose text starts with "slow" pause `ms` between stream events; everything else answers at once. */
function slowModel(harness: ReliabilityHarness, ms: number): void {
  harness.llm.handle((req) => {
    const t = lastUserText(req);
    return { text: `echo: ${t}`, chunks: 1, ...(t.startsWith("slow") ? { delayMs: ms } : {}) };
  });
}

const running = (harness: ReliabilityHarness, runId: string) =>
  harness.agents.service.deps.runs.get(runId)?.outcome === undefined;

describe("overload", () => {
  it("a full run queue refuses chat.send (retryable, retryAfterMs) and tells Telegram senders once; /readyz says so and recovers", async () => {
    h = await startReliabilityHarness({
      lanes: { maxConcurrent: 1, maxQueuedPerSession: 5, maxQueuedTotal: 2 },
      provider: PATIENT,
    });
    slowModel(h, 700);
    const { client } = await connect(h.server);
    for (let i = 0; i < 3; i++) {
      const res = await client.call("chat.send", {
        sessionKey: `agent:main:ov-${i}`,
        message: `slow ${i}`,
        idempotencyKey: `fill-${i}`,
      });
      expect(res.ok).toBe(true);
    }
    await until(() => h?.agents.service.deps.lanes.load().full);
    const refused = await client.call("chat.send", {
      sessionKey: "agent:main:ov-9",
      message: "one more",
      idempotencyKey: "refused-1",
    });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatchObject({ code: "UNAVAILABLE", retryable: true, retryAfterMs: 2000 });
    const ready = await readyz(h.server.url);
    expect(ready).toEqual({ status: 503, body: { ready: false, stage: "agent-queue" } });
    const status = (await client.call("status")).payload as { gateway: { load: Record<string, unknown> } };
    expect(status.gateway.load).toMatchObject({
      overloaded: "agent-queue",
      agent: { full: true, queued: 2 },
    });
    // Telegram: three messages from one sender and one from another while the queue is full.
    const mids = [h.tg.inject(dm(9001, "a")), h.tg.inject(dm(9001, "b")), h.tg.inject(dm(9001, "c"))];
    const other = h.tg.inject(dm(9002, "d"));
    await until(() => h?.manager.status().find((s) => s.channel === "telegram")?.inbox.dropped === 4);
    expect(running(h, "fill-2")).toBe(true); // still overloaded while the refusals happened
    await until(() => (h?.tg.repliesTo(9002, other).length ?? 0) > 0);
    await until(() => (h?.tg.repliesTo(9001, mids[0] as number).length ?? 0) > 0);
    expect(h.tg.sent.filter((b) => b.chatId === "9001").map((b) => b.text)).toEqual([BUSY_TEXT]);
    expect(h.tg.repliesTo(9002, other).map((b) => b.text)).toEqual([BUSY_TEXT]);
    expect(h.llm.requests.some((r) => ["a", "b", "c", "d"].includes(lastUserText(r)))).toBe(false);
    // Drained: ready again, and new messages run normally.
    await untilAsync(async () => (await readyz((h as ReliabilityHarness).server.url)).status === 200);
    const again = await client.call("chat.send", {
      sessionKey: "agent:main:ov-9",
      message: "one more",
      idempotencyKey: "after-1",
    });
    expect(again.error).toBeUndefined();
    await until(() => h?.agents.service.deps.lanes.load().queued === 0);
    const later = h.tg.inject(dm(9003, "later"));
    await until(() => (h?.tg.repliesTo(9003, later).length ?? 0) > 0);
    expect(h.tg.repliesTo(9003, later)[0]?.text).toBe("echo: later");
    for (let i = 0; i < 3; i++)
      expect(h.agents.service.deps.runs.get(`fill-${i}`)?.outcome?.status).toBe("ok");
  }, 60_000);

  it("a full channel backlog refuses new messages with one notice per conversation and recovers", async () => {
    h = await startReliabilityHarness({
      lanes: { maxConcurrent: 1, maxQueuedPerSession: 50, maxQueuedTotal: 100 },
      maxBacklog: 3,
      provider: PATIENT,
    });
    slowModel(h, 1000);
    const { client } = await connect(h.server);
    // One slow WS run holds the only run slot, so accepted channel messages wait behind it.
    const blocker = await client.call("chat.send", {
      sessionKey: "agent:main:blocker",
      message: "slow blocker",
      idempotencyKey: "blocker",
    });
    expect(blocker.ok).toBe(true);
    await until(() => h?.agents.service.deps.lanes.load().active === 1);
    const sent = Array.from({ length: 8 }, (_, i) => h?.tg.inject(dm(9100, `m${i}`)) as number);
    await until(() => (h?.manager.pipeline.stats().refused ?? 0) >= 1);
    const ready = await readyz(h.server.url);
    expect(running(h, "blocker")).toBe(true);
    expect(ready).toEqual({ status: 503, body: { ready: false, stage: "channel-backlog" } });
    const status = (await client.call("status")).payload as { gateway: { load: { overloaded: unknown } } };
    expect(status.gateway.load.overloaded).toBe("channel-backlog");
    await until(() => sent.every((mid) => h?.manager.status()[1]?.inbox.pending === 0 && mid > 0));
    await untilAsync(async () => (await readyz((h as ReliabilityHarness).server.url)).status === 200);
    await h.manager.pipeline.idle();
    const inbox = h.manager.status().find((s) => s.channel === "telegram")?.inbox;
    const replies = sent.map((mid) => h?.tg.repliesTo(9100, mid).map((b) => b.text) ?? []);
    // Accepted messages were answered in order; refused ones were never run; one notice.
    expect(replies.every((r) => r.length <= 1)).toBe(true);
    const answered = replies.flat().filter((t) => t !== BUSY_TEXT);
    expect(answered).toEqual(answered.map((_, i) => `echo: m${i}`));
    expect(replies.flat().filter((t) => t === BUSY_TEXT)).toHaveLength(1);
    expect(inbox?.done).toBe(answered.length);
    expect(inbox?.dropped).toBe(8 - answered.length);
    expect(answered.length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
