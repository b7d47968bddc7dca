import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelMessage } from "ai";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  buildSystemPrompt,
  compactHistory,
  isSummaryMessage,
  LaneScheduler,
  parseChatCommand,
  planCompaction,
  SUMMARY_MARKER,
} from "../src/agent/index.js";
import { createModelRegistry } from "../src/providers/index.js";
import { startAnthropicEmulator } from "./emulators/anthropic.js";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** A promise with its resolver, to drive tasks by hand. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}
const tick = () => new Promise((r) => setImmediate(r));

describe("LaneScheduler", () => {
  it("runs one task at a time per session, in order", async () => {
    const lanes = new LaneScheduler({ maxConcurrent: 4 });
    const log: string[] = [];
    const gates = [gate(), gate(), gate()];
    const runs = gates.map((g, i) =>
      lanes.run("s1", async () => {
        log.push(`start${i}`);
        await g.p;
        log.push(`end${i}`);
        return i;
      }),
    );
    await tick();
    expect(log).toEqual(["start0"]);
    expect(lanes.status("s1")).toEqual({ running: true, queued: 2 });
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(log).toEqual(["start0", "end0", "start1", "end1", "start2", "end2"]);
    expect(lanes.stats()).toEqual({ active: 0, queued: 0, sessions: 0 });
  });

  it("runs different sessions concurrently up to the global cap", async () => {
    const lanes = new LaneScheduler({ maxConcurrent: 2 });
    const started: string[] = [];
    const g = gate();
    const runs = ["a", "b", "c"].map((k) =>
      lanes.run(k, async () => {
        started.push(k);
        await g.p;
      }),
    );
    await tick();
    expect(started).toEqual(["a", "b"]);
    expect(lanes.stats()).toMatchObject({ active: 2, queued: 1 });
    g.open();
    await Promise.all(runs);
    expect(started).toEqual(["a", "b", "c"]);
  });

  it("refuses with a clear error when a queue is full", async () => {
    const lanes = new LaneScheduler({ maxConcurrent: 1, maxQueuedPerSession: 1, maxQueuedTotal: 2 });
    const g = gate();
    const ok = [lanes.run("s", () => g.p), lanes.run("s", () => g.p)];
    await expect(lanes.run("s", () => g.p)).rejects.toMatchObject({ code: "PAL_AGENT_QUEUE_FULL" });
    ok.push(lanes.run("t", () => g.p));
    await expect(lanes.run("u", () => g.p)).rejects.toThrow(/the gateway already has 2 queued/);
    g.open();
    await Promise.all(ok);
  });

  it("stop aborts the running task and drops the queue", async () => {
    const lanes = new LaneScheduler();
    const running = lanes.run(
      "s",
      (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
    );
    const queued = lanes.run("s", async () => "never");
    await tick();
    expect(lanes.stop("s", { dropQueued: true })).toBe(true);
    await expect(running).rejects.toMatchObject({ code: "PAL_AGENT_ABORTED" });
    await expect(queued).rejects.toMatchObject({ code: "PAL_AGENT_ABORTED" });
  });

  it("keeps per-session order and the cap under random interleavings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 30 }), async (keys) => {
        const lanes = new LaneScheduler({ maxConcurrent: 2, maxQueuedPerSession: 100 });
        const order: Record<string, number[]> = {};
        let active = 0;
        let peak = 0;
        const runs = keys.map((k, i) =>
          lanes.run(k, async () => {
            active++;
            peak = Math.max(peak, active);
            await tick();
            order[k] = [...(order[k] ?? []), i];
            active--;
          }),
        );
        await Promise.all(runs);
        expect(peak).toBeLessThanOrEqual(2);
        for (const list of Object.values(order)) expect(list).toEqual([...list].sort((x, y) => x - y));
      }),
      { numRuns: 30 },
    );
  });
});

describe("parseChatCommand", () => {
  it("parses the five commands with args and the @bot form", () => {
    expect(parseChatCommand("/new be brief")).toEqual({ name: "new", args: "be brief" });
    expect(parseChatCommand("  /STOP ")).toEqual({ name: "stop", args: "" });
    expect(parseChatCommand("/status@palisade_bot", { botUsername: "Palisade_Bot" })).toMatchObject({
      name: "status",
    });
    expect(parseChatCommand("/reset@other_bot", { botUsername: "palisade_bot" })).toBeNull();
    expect(parseChatCommand("/help")).toMatchObject({ name: "help" });
  });

  it("treats everything else as a normal message", () => {
    for (const t of ["/newer", "hello /new", "/unknown", "", "/", "new"])
      expect(parseChatCommand(t)).toBeNull();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const c = parseChatCommand(s);
        if (c !== null) expect(s.trim().startsWith("/")).toBe(true);
      }),
    );
  });
});

describe("buildSystemPrompt", () => {
  async function workspace(files: Record<string, string>) {
    const dir = await mkdtemp(join(tmpdir(), "pal-ws-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
    return dir;
  }

  it("joins present files in order and skips missing ones", async () => {
    const dir = await workspace({ "USER.md": "likes tea", "SOUL.md": "be kind" });
    const p = await buildSystemPrompt(dir, { preamble: "You are Palisade." });
    expect(p.text).toBe("You are Palisade.\n\n## SOUL.md\n\nbe kind\n\n## USER.md\n\nlikes tea");
    expect(p.files.find((f) => f.name === "AGENTS.md")?.skipped).toBe("missing");
  });

  it("caps each file and the total, saying what was cut", async () => {
    const dir = await workspace({
      "SOUL.md": "s".repeat(5000),
      "AGENTS.md": "a".repeat(5000),
      "USER.md": "u",
    });
    const p = await buildSystemPrompt(dir, { maxFileChars: 1000, maxTotalChars: 1500 });
    expect(p.text.length).toBeLessThanOrEqual(1500);
    expect(p.text).toContain("[SOUL.md was cut to");
    expect(p.files.find((f) => f.name === "SOUL.md")).toMatchObject({ truncated: true });
    expect(p.files.find((f) => f.name === "AGENTS.md")?.truncated).toBe(true);
  });

  it("refuses symlinks so a planted link cannot pull in other files", async () => {
    const dir = await workspace({});
    const secret = join(dir, "..", `secret-${Date.now()}.txt`);
    await writeFile(secret, "TOKEN=abc");
    cleanup.push(() => rm(secret, { force: true }));
    await symlink(secret, join(dir, "SOUL.md"));
    const p = await buildSystemPrompt(dir);
    expect(p.text).not.toContain("TOKEN");
    expect(p.files.find((f) => f.name === "SOUL.md")?.skipped).toBe("not-a-file");
  });
});

describe("compaction", () => {
  const turn = (i: number): ModelMessage[] => [
    { role: "user", content: `question ${i} ${"x".repeat(400)}` },
    { role: "assistant", content: `answer ${i}` },
  ];
  const history = Array.from({ length: 10 }, (_, i) => turn(i)).flat();

  it("plans nothing below the threshold and cuts only before a user turn", () => {
    expect(planCompaction(history, { contextWindow: 1_000_000 })).toBeNull();
    const plan = planCompaction(history, { contextWindow: 1000, keepTurns: 3 });
    expect(plan?.recent).toHaveLength(6);
    expect(plan?.recent[0]?.role).toBe("user");
    expect(plan?.older).toHaveLength(14);
  });

  it("summarizes older turns with the model into one marked summary message", async () => {
    const emu = await startAnthropicEmulator();
    cleanup.push(() => emu.close());
    emu.script({ text: "User asked 7 questions about x." });
    const reg = createModelRegistry({
      providers: { c: { baseUrl: emu.baseUrl, apiKey: "test-key", api: "anthropic-messages" } },
      env: {},
      fetch: globalThis.fetch,
    });
    const r = await compactHistory(history, { models: reg.chain("c/m"), contextWindow: 1000, keepTurns: 3 });
    expect(r?.compactedCount).toBe(14);
    expect(r?.messages).toHaveLength(7);
    expect(r?.messages.filter(isSummaryMessage)).toHaveLength(1);
    expect(r?.summary.content).toBe(`${SUMMARY_MARKER}\nUser asked 7 questions about x.`);
    expect(JSON.stringify(emu.requests[0]?.body)).toContain("question 0");
    expect(JSON.stringify(emu.requests[0]?.body)).not.toContain("question 9");
  });
});
