import { describe, expect, it } from "vitest";
import { type AppendedRow, ContextCache, type ContextWindow } from "./transcript-window.js";
import type { TranscriptEntry } from "./transcripts.js";

const entry = (id: number): TranscriptEntry => ({
  id,
  kind: "message",
  role: "user",
  message: { role: "user", content: `m${id}` },
  runId: null,
  coversTo: null,
  createdAt: 0,
});

const row = (id: number, chars: number, kind: "message" | "summary" = "message"): AppendedRow => ({
  entry: { ...entry(id), kind },
  json: "x".repeat(chars),
});

function windowOf(ids: number[], chars = 10, cap = 400): ContextWindow {
  return {
    summary: undefined,
    summaryChars: 0,
    messages: ids.map(entry),
    chars: ids.map(() => chars),
    cap,
    complete: ids.length < cap,
    verifiedTo: ids.at(-1) ?? 0,
    unverified: [],
  };
}

describe("ContextCache", () => {
  it("evicts the least recently used session past maxSessions", () => {
    const c = new ContextCache({ maxSessions: 2 });
    c.set("a", windowOf([1]));
    c.set("b", windowOf([2]));
    c.get("a");
    c.set("c", windowOf([3]));
    expect(c.has("a")).toBe(true);
    expect(c.has("b")).toBe(false);
    expect(c.size).toEqual({ sessions: 2, entries: 2, chars: 20 });
  });

  it("bounds entries and characters, counting appends and trims", () => {
    const c = new ContextCache({ maxEntries: 5, maxChars: 1000 });
    c.set("a", windowOf([1, 2, 3]));
    c.set("b", windowOf([4, 5]));
    c.appended("b", [row(6, 10)]);
    expect(c.has("a")).toBe(false);
    expect(c.size).toEqual({ sessions: 1, entries: 3, chars: 30 });
    const big = new ContextCache({ maxChars: 100 });
    big.set("a", windowOf([1], 60));
    big.set("b", windowOf([2], 60));
    expect([big.has("a"), big.has("b")]).toEqual([false, true]);
    // A window bigger than the whole bound is not kept at all.
    big.set("c", windowOf([3], 500));
    expect(big.size).toEqual({ sessions: 0, entries: 0, chars: 0 });
  });

  it("keeps at most cap messages, and drops a window on a summary or an id out of order", () => {
    const c = new ContextCache();
    c.set("a", windowOf([1, 2], 10, 2));
    c.appended("a", [row(3, 7)]);
    expect(c.get("a")?.messages.map((e) => e.id)).toEqual([2, 3]);
    expect(c.get("a")?.complete).toBe(false);
    expect(c.size.chars).toBe(17);
    c.appended("a", [row(3, 7)]);
    expect(c.has("a")).toBe(false);
    c.set("b", windowOf([1]));
    c.appended("b", [row(2, 5, "summary")]);
    expect(c.has("b")).toBe(false);
    expect(c.size).toEqual({ sessions: 0, entries: 0, chars: 0 });
  });
});
