import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { toModelMessages } from "../src/agent/index.js";
import {
  type DmScope,
  isSessionExpired,
  lastDailyBoundary,
  mainSessionKey,
  resetRuleFor,
  sessionKeyFor,
} from "../src/sessions/index.js";
import { createSessionStore, createTranscriptStore, openStore } from "../src/store/index.js";
import { emuConfig, startAgentGateway } from "./emulators/harness.js";
import { startOpenAIEmulator } from "./emulators/openai.js";
import { connect } from "./helpers/gateway.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

describe("session keys (OpenClaw forms)", () => {
  const base = { agentId: "main", channel: "telegram", peerId: "12345" };
  it("builds each dmScope's key, groups and threads", () => {
    expect(sessionKeyFor({ ...base, dmScope: "main" })).toBe("agent:main:main");
    expect(sessionKeyFor({ ...base, dmScope: "main", mainKey: "home" })).toBe("agent:main:home");
    expect(sessionKeyFor({ ...base, dmScope: "per-peer" })).toBe("agent:main:direct:12345");
    expect(sessionKeyFor({ ...base, dmScope: "per-channel-peer" })).toBe("agent:main:telegram:direct:12345");
    expect(sessionKeyFor({ ...base, dmScope: "per-account-channel-peer", accountId: "bot2" })).toBe(
      "agent:main:telegram:bot2:direct:12345",
    );
    expect(sessionKeyFor({ ...base, dmScope: "per-account-channel-peer" })).toBe(
      "agent:main:telegram:default:direct:12345",
    );
    expect(sessionKeyFor({ ...base, peerKind: "group", peerId: "-100777" })).toBe(
      "agent:main:telegram:group:-100777",
    );
    expect(sessionKeyFor({ ...base, peerKind: "group", peerId: "-100777", threadId: "42" })).toBe(
      "agent:main:telegram:group:-100777:thread:42",
    );
    expect(
      sessionKeyFor({
        ...base,
        dmScope: "per-peer",
        identityLinks: { alice: ["telegram:12345", "discord:9"] },
      }),
    ).toBe("agent:main:direct:alice");
    expect(mainSessionKey("ops")).toBe("agent:ops:main");
  });

  it("never gives two distinct peers the same key under per-peer scopes", () => {
    const scopes: DmScope[] = ["per-peer", "per-channel-peer", "per-account-channel-peer"];
    const id = fc
      .string({ minLength: 1, maxLength: 12, unit: "grapheme" })
      .filter((s) => s.trim() === s && s !== "");
    fc.assert(
      fc.property(
        fc.constantFrom(...scopes),
        id,
        id,
        fc.constantFrom("telegram", "discord"),
        (dmScope, a, b, channel) => {
          fc.pre(a !== b);
          const ka = sessionKeyFor({ agentId: "main", channel, dmScope, peerId: a });
          const kb = sessionKeyFor({ agentId: "main", channel, dmScope, peerId: b });
          expect(ka).not.toBe(kb);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps channels and accounts apart where the scope says so", () => {
    const id = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(id, id, id, (peer, acc1, acc2) => {
        fc.pre(acc1 !== acc2);
        const k = (channel: string, accountId: string, dmScope: DmScope) =>
          sessionKeyFor({ agentId: "main", channel, accountId, dmScope, peerId: peer });
        expect(k("telegram", acc1, "per-channel-peer")).not.toBe(k("discord", acc1, "per-channel-peer"));
        expect(k("telegram", acc1, "per-account-channel-peer")).not.toBe(
          k("telegram", acc2, "per-account-channel-peer"),
        );
        expect(k("telegram", acc1, "main")).toBe(k("discord", acc2, "main"));
      }),
    );
  });
});

describe("session reset rules", () => {
  const at = (h: number, m = 0, day = 10) => new Date(2026, 0, day, h, m).getTime();
  it("expires at the daily boundary and after idle time", () => {
    expect(lastDailyBoundary(at(3), 4)).toBe(at(4, 0, 9));
    expect(isSessionExpired({}, at(3, 50), at(4, 10))).toBe(true);
    expect(isSessionExpired({}, at(4, 5), at(23))).toBe(false);
    expect(isSessionExpired({ mode: "idle", idleMinutes: 30 }, at(10), at(10, 29))).toBe(false);
    expect(isSessionExpired({ mode: "idle", idleMinutes: 30 }, at(10), at(10, 31))).toBe(true);
    expect(isSessionExpired({ mode: "off" }, at(1, 0, 1), at(23))).toBe(false);
    const cfg = {
      reset: { mode: "off" as const },
      resetByType: { group: { mode: "idle" as const, idleMinutes: 5 } },
    };
    expect(resetRuleFor(cfg, "agent:main:telegram:group:1").mode).toBe("idle");
    expect(resetRuleFor(cfg, "agent:main:main").mode).toBe("off");
  });
});

describe("transcripts in the store", () => {
  function open() {
    const store = openStore({ file: join(mkdtempSync(join(tmpdir(), "pal-tr-")), "state.sqlite") });
    cleanup.push(() => store.close());
    return { store, sessions: createSessionStore(store), transcripts: createTranscriptStore(store) };
  }

  it("loads a 10,000-message session through the index, only the recent window", async () => {
    const { store, sessions, transcripts } = open();
    const s = sessions.ensure("agent:main:main", "main");
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      role: (i % 2 === 0 ? "user" : "assistant") as "user" | "assistant",
      message: { role: i % 2 === 0 ? "user" : "assistant", content: `message ${i}` },
    }));
    transcripts.append(s.key, s.sessionId, rows);
    expect(transcripts.count(s.sessionId)).toBe(10_000);
    const ctx = transcripts.context(s.sessionId);
    expect(ctx).toHaveLength(400);
    expect((ctx.at(-1)?.message as { content?: string } | undefined)?.content).toBe("message 9999");
    const { messages } = await toModelMessages(ctx);
    expect(messages[0]?.role).toBe("user");
    const plan = store.db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM transcript_entries WHERE session_id = ? AND id > ? AND kind = 'message' ORDER BY id DESC LIMIT 400",
      )
      .all("x", 0) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(" ")).toMatch(/USING (INDEX|COVERING INDEX|INTEGER PRIMARY KEY)/);
    expect(plan.map((p) => p.detail).join(" ")).not.toMatch(/SCAN transcript_entries$/);
    // A summary covering the first 9,990 entries makes the context the summary plus the rest.
    const ids = transcripts.recent(s.sessionId, { limit: 10 }).map((e) => e.id);
    transcripts.append(s.key, s.sessionId, [
      {
        kind: "summary",
        role: "user",
        message: { role: "user", content: "[Summary] ..." },
        coversTo: (ids[0] ?? 0) - 1,
      },
    ]);
    const after = transcripts.context(s.sessionId);
    expect(after).toHaveLength(11);
    expect(after[0]?.kind).toBe("summary");
  });

  it("refuses to update a transcript row", () => {
    const { store, sessions, transcripts } = open();
    const s = sessions.ensure("agent:main:main", "main");
    transcripts.append(s.key, s.sessionId, [{ role: "user", message: { role: "user", content: "hi" } }]);
    expect(() => store.db.exec("UPDATE transcript_entries SET content = '{}'")).toThrow(/append-only/);
  });
});

describe("sessions methods, lanes and compaction over the gateway", () => {
  async function setup(contextWindow?: number) {
    const emu = await startOpenAIEmulator();
    cleanup.push(() => emu.close());
    const h = await startAgentGateway(
      emuConfig(emu.baseUrl, contextWindow === undefined ? {} : { contextWindow }),
    );
    cleanup.push(() => h.close());
    return { emu, h };
  }
  let n = 0;
  const idempotencyKey = () => `s-${++n}`;

  it("serializes runs of one session: the second sees the first's answer", async () => {
    const { emu, h } = await setup();
    emu.script({ text: "first answer", chunks: 5, delayMs: 30 }, { text: "second answer" });
    const a = await h.client.call("chat.send", {
      sessionKey: "main",
      message: "one",
      idempotencyKey: idempotencyKey(),
    });
    const b = await h.client.call("chat.send", {
      sessionKey: "main",
      message: "two",
      idempotencyKey: idempotencyKey(),
    });
    const runB = (b.payload as { runId: string }).runId;
    const wait = await h.client.call("agent.wait", { runId: runB, timeoutMs: 10_000 });
    expect(wait.payload).toMatchObject({ status: "ok", text: "second answer" });
    expect(a.ok).toBe(true);
    const second = emu.requests[1]?.body.messages as Array<{ role: string; content: string }>;
    expect(second.map((m) => m.content)).toEqual(["one", "first answer", "two"]);
  });

  it("a retry of one inbound message answers its stored user entry instead of storing it twice", async () => {
    const { emu, h } = await setup();
    emu.script({ text: "first answer" }, { text: "retried answer" }, { text: "fresh answer" });
    const service = h.agents.service;
    const key = "agent:main:main";
    const run = async (input: Parameters<typeof service.start>[0]) => {
      const started = service.start(input);
      return (await service.wait(started.runId, 10_000)).outcome;
    };
    expect((await run({ sessionKey: key, message: "hello", idempotencyKey: "channel:1:1" }))?.text).toBe(
      "first answer",
    );
    // Attempt 1 of inbox row 2 stored its user entry, then the process stopped before an answer.
    const session = createSessionStore(h.store).get(key);
    if (session === undefined) throw new Error("no session");
    const transcripts = createTranscriptStore(h.store);
    transcripts.append(key, session.sessionId, [
      { role: "user", message: { role: "user", content: "again" }, runId: "channel:2:1" },
    ]);
    const retried = await run({
      sessionKey: key,
      message: "again",
      idempotencyKey: "channel:2:2",
      retryOf: "channel:2",
    });
    expect(retried?.text).toBe("retried answer");
    const sent = emu.requests[1]?.body.messages as Array<{ role: string; content: string }>;
    expect(sent.map((m) => m.content)).toEqual(["hello", "first answer", "again"]);
    // Attempt 2 stored its answer but the reply was not delivered: attempt 3 reuses the answer
    // without asking the model again.
    const reused = await run({
      sessionKey: key,
      message: "again",
      idempotencyKey: "channel:2:3",
      retryOf: "channel:2",
    });
    expect(reused?.text).toBe("retried answer");
    expect(emu.requests).toHaveLength(2);
    // Another message with the same text after that is new: stored and answered.
    expect((await run({ sessionKey: key, message: "again", idempotencyKey: "channel:3:1" }))?.text).toBe(
      "fresh answer",
    );
    const users = transcripts
      .recent(session.sessionId, { limit: 50 })
      .filter((e) => e.role === "user")
      .map((e) => (e.message as { content: string }).content);
    expect(users).toEqual(["hello", "again", "again"]);
  });

  it("records a compaction summary in the transcript and sends it instead of old turns", async () => {
    const { emu, h } = await setup(120);
    emu.handle((req) =>
      req.body.stream === true
        ? { text: `reply ${req.body.messages.length} ${"x".repeat(40)}` }
        : { text: "SUMMARY-TEXT" },
    );
    for (let i = 0; i < 7; i++) {
      const r = await h.client.call("chat.send", {
        sessionKey: "main",
        message: `question ${i} ${"y".repeat(40)}`,
        idempotencyKey: idempotencyKey(),
      });
      await h.client.call("agent.wait", { runId: (r.payload as { runId: string }).runId, timeoutMs: 10_000 });
    }
    const summaries = emu.requests.filter((r) => r.body.stream !== true);
    expect(summaries.length).toBeGreaterThan(0);
    const last = emu.requests.at(-1)?.body.messages as Array<{ role: string; content: string }>;
    expect(last[0]?.content).toMatch(/^\[Summary of earlier conversation\]\nSUMMARY-TEXT/);
    expect(last.some((m) => m.content.startsWith("question 0 "))).toBe(false);
    const hist = await h.client.call("chat.history", { sessionKey: "main", limit: 1000 });
    const msgs = (hist.payload as { messages: Array<Record<string, unknown>> }).messages;
    expect(msgs.filter((m) => m.kind === "summary").length).toBeGreaterThan(0);
    expect(msgs.filter((m) => m.role === "user" && m.kind !== "summary")).toHaveLength(7);
  });

  it("lists, previews, resets, compacts and deletes sessions; reports usage and models", async () => {
    const { emu, h } = await setup();
    emu.handle((req) =>
      req.body.stream === true ? { text: "hello back", usage: { input: 7, output: 3 } } : { text: "S" },
    );
    for (const key of ["main", "agent:main:work"]) {
      const r = await h.client.call("chat.send", {
        sessionKey: key,
        message: "hello",
        idempotencyKey: idempotencyKey(),
      });
      await h.client.call("agent.wait", { runId: (r.payload as { runId: string }).runId });
    }
    const list = (await h.client.call("sessions.list", {})).payload as {
      sessions: Array<Record<string, unknown>>;
    };
    expect(list.sessions.map((s) => s.key).sort()).toEqual(["agent:main:main", "agent:main:work"]);
    expect(list.sessions[0]).toMatchObject({
      runs: 1,
      inputTokens: 7,
      outputTokens: 3,
      modelProvider: "emu",
    });
    const prev = await h.client.call("sessions.preview", { keys: ["main", "agent:main:nope"] });
    expect(prev.payload).toMatchObject({
      previews: [
        {
          key: "main",
          status: "ok",
          items: [
            { role: "user", text: "hello" },
            { role: "assistant", text: "hello back" },
          ],
        },
        { key: "agent:main:nope", status: "missing" },
      ],
    });
    const usage = await h.client.call("usage.status", {});
    expect(usage.payload).toMatchObject({ totals: { runs: 2, inputTokens: 14, outputTokens: 6 } });
    const models = await h.client.call("models.list", {});
    expect(models.payload).toMatchObject({ models: [{ id: "m1", provider: "emu", agents: ["main"] }] });
    const compact = await h.client.call("sessions.compact", { key: "main" });
    expect(compact.payload).toMatchObject({ ok: true, key: "agent:main:main", compacted: false });
    const before = list.sessions.find((s) => s.key === "agent:main:main")?.sessionId;
    const reset = await h.client.call("sessions.reset", { key: "main" });
    expect((reset.payload as { entry: { sessionId: string } }).entry.sessionId).not.toBe(before);
    const hist = await h.client.call("chat.history", { sessionKey: "main" });
    expect((hist.payload as { messages: unknown[] }).messages).toEqual([]);
    const del = await h.client.call("sessions.delete", { key: "agent:main:work" });
    expect(del.payload).toMatchObject({ ok: true, deleted: true, removedMessages: 2 });
    const missing = await h.client.call("sessions.delete", { key: "agent:main:work" });
    expect(missing.ok).toBe(false);

    // Reads need operator.read; reset and delete need operator.admin, as in OpenClaw.
    const { client: writer } = await connect(h.gw, { scopes: ["operator.write"] });
    cleanup.push(() => writer.close());
    expect((await writer.call("sessions.list", {})).ok).toBe(true);
    const denied = await writer.call("sessions.delete", { key: "main" });
    expect(denied.error?.code).toBe("FORBIDDEN");
  });
});
