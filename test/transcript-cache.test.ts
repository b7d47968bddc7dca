// The context cache must never change what the model sees: a store with the cache and one that
// reads every context from SQLite, over the same database, must return equal contexts (and equal
// model messages) after any sequence of appends, summaries, resets, deletes, rolled-back appends
// and writes that bypass the cached store.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { toModelMessages } from "../src/agent/index.js";
import { createTranscriptStore, openStore, type Store, type TranscriptAppend } from "../src/store/index.js";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function open(): Store {
  const store = openStore({ file: join(mkdtempSync(join(tmpdir(), "pal-trc-")), "state.sqlite") });
  cleanup.push(() => store.close());
  return store;
}

const text = fc.string({ maxLength: 12 });
/** Messages as runs write them, plus shapes the AI SDK's schema refuses (skipped when read). */
const messageArb: fc.Arbitrary<TranscriptAppend> = fc.oneof(
  text.map((t) => ({ role: "user" as const, message: { role: "user", content: t }, runId: "r" })),
  text.map((t) => ({
    role: "assistant" as const,
    message: { role: "assistant", content: [{ type: "text", text: t }] },
  })),
  fc.record({ id: fc.constantFrom("c1", "c2"), t: text }).map(({ id, t }) => ({
    role: "assistant" as const,
    message: {
      role: "assistant",
      content: [{ type: "tool-call", toolCallId: id, toolName: "echo", input: { t } }],
    },
  })),
  fc.record({ id: fc.constantFrom("c1", "c2"), t: text }).map(({ id, t }) => ({
    role: "tool" as const,
    message: {
      role: "tool",
      content: [
        { type: "tool-result", toolCallId: id, toolName: "echo", output: { type: "text", value: t } },
      ],
    },
  })),
  // Extra keys (stripped by the schema), and rows the schema refuses.
  text.map((t) => ({ role: "user" as const, message: { role: "user", content: t, extra: 1 } })),
  fc.constant({ role: "assistant" as const, message: { role: "assistant", content: 42 } }),
  fc.constant({ role: "user" as const, message: { nope: true } }),
);

type Op =
  | { op: "append"; s: number; rows: TranscriptAppend[] }
  | { op: "summary"; s: number; cover: number | null }
  | { op: "read"; s: number; limit: number }
  | { op: "reset"; s: number }
  | { op: "delete"; s: number }
  | { op: "rollback"; s: number; rows: TranscriptAppend[] }
  | { op: "bypass"; s: number; rows: TranscriptAppend[] };

const session = fc.integer({ min: 0, max: 3 });
const rows = fc.array(messageArb, { minLength: 1, maxLength: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("append" as const), s: session, rows }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("summary" as const),
      s: session,
      cover: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("read" as const),
      s: session,
      limit: fc.integer({ min: 1, max: 12 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("reset" as const), s: session }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), s: session }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("rollback" as const), s: session, rows }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("bypass" as const), s: session, rows }) },
);

describe("transcript context cache", () => {
  it("gives exactly the uncached context after any sequence of writes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        fc.record({
          maxSessions: fc.integer({ min: 1, max: 4 }),
          maxEntries: fc.integer({ min: 1, max: 40 }),
          maxChars: fc.integer({ min: 1, max: 3000 }),
        }),
        async (ops, bounds) => {
          const store = open();
          const cached = createTranscriptStore(store, { contextCache: bounds });
          const plain = createTranscriptStore(store, { contextCache: false });
          const generation = [0, 0, 0, 0];
          const sid = (s: number) => `s${s}-${generation[s]}`;
          const compare = async (s: number, limit: number) => {
            const want = plain.context(sid(s), { limit });
            const got = cached.context(sid(s), { limit });
            expect(got).toEqual(want);
            expect(await toModelMessages(got)).toEqual(await toModelMessages(want));
          };
          for (const o of ops) {
            const key = `agent:main:${o.s}`;
            if (o.op === "append") cached.append(key, sid(o.s), o.rows);
            else if (o.op === "bypass") plain.append(key, sid(o.s), o.rows);
            else if (o.op === "summary") {
              const ids = plain.recent(sid(o.s), { limit: 50 }).map((e) => e.id);
              const coversTo = o.cover === null ? undefined : ids[o.cover % Math.max(1, ids.length)];
              cached.append(key, sid(o.s), [
                { kind: "summary", role: "user", message: { role: "user", content: "[Summary]" }, coversTo },
              ]);
            } else if (o.op === "rollback") {
              expect(() =>
                store.transaction(() => {
                  cached.append(key, sid(o.s), o.rows);
                  // Read inside the transaction too: the window then saw rows that go away.
                  cached.context(sid(o.s), { limit: 8 });
                  throw new Error("rolled back");
                }),
              ).toThrow("rolled back");
            } else if (o.op === "reset") {
              cached.forget(sid(o.s));
              generation[o.s] = (generation[o.s] ?? 0) + 1;
            } else if (o.op === "delete") cached.deleteSession(sid(o.s));
            else await compare(o.s, o.limit);
          }
          for (const s of [0, 1, 2, 3]) for (const limit of [1, 3, 400]) await compare(s, limit);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("notices a rolled-back id given out again to another writer, same shape, other text", () => {
    const store = open();
    const cached = createTranscriptStore(store);
    const plain = createTranscriptStore(store, { contextCache: false });
    const user = (content: string): TranscriptAppend => ({
      role: "user",
      message: { role: "user", content },
    });
    cached.append("k", "s", [user("a")]);
    cached.context("s");
    expect(() =>
      store.transaction(() => {
        cached.append("k", "s", [user("rolled back")]);
        expect(cached.context("s").map((e) => e.id)).toEqual([1, 2]);
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    expect(plain.append("k", "s", [user("other")])).toEqual([2]);
    expect(cached.context("s").map((e) => (e.message as { content: string }).content)).toEqual([
      "a",
      "other",
    ]);
  });

  it("serves a repeated read from memory, with the same entry objects", () => {
    const store = open();
    const t = createTranscriptStore(store);
    t.append("k", "s", [{ role: "user", message: { role: "user", content: "hi" } }]);
    const a = t.context("s");
    t.append("k", "s", [{ role: "assistant", message: { role: "assistant", content: "yo" } }]);
    const b = t.context("s");
    expect(b[0]).toBe(a[0]);
    expect(b.map((e) => e.message)).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: "yo" },
    ]);
  });
});
