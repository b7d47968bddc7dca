import { describe, expect, it } from "vitest";
import { IdempotencyCache, stableStringify } from "./idempotency.js";

describe("IdempotencyCache", () => {
  it("replays within the TTL and runs again after it", async () => {
    const now = { t: 0 };
    const cache = new IdempotencyCache({ now: () => now.t });
    let runs = 0;
    const run = async () => ++runs;
    expect(await cache.execute("m", "k", { a: 1, b: 2 }, run)).toBe(1);
    expect(await cache.execute("m", "k", { b: 2, a: 1 }, run)).toBe(1);
    now.t = 5 * 60_000 + 1;
    expect(await cache.execute("m", "k", { a: 1, b: 2 }, run)).toBe(2);
  });

  it("refuses the same key with other params and keys per method", async () => {
    const cache = new IdempotencyCache({ now: () => 0 });
    await cache.execute("m", "k", { a: 1 }, async () => 1);
    expect(() => cache.execute("m", "k", { a: 2 }, async () => 2)).toThrow(/already used/);
    expect(await cache.execute("other", "k", { a: 2 }, async () => 3)).toBe(3);
  });

  it("forgets failures so a retry can succeed", async () => {
    const cache = new IdempotencyCache({ now: () => 0 });
    await expect(cache.execute("m", "k", {}, async () => Promise.reject(new Error("boom")))).rejects.toThrow(
      "boom",
    );
    await new Promise((r) => setImmediate(r));
    expect(await cache.execute("m", "k", {}, async () => "ok")).toBe("ok");
  });

  it("is bounded to maxEntries", async () => {
    const cache = new IdempotencyCache({ now: () => 0 });
    for (let i = 0; i < 1500; i++) await cache.execute("m", `k${i}`, {}, async () => i);
    expect(cache.size).toBe(1000);
  });

  it("stringifies with sorted keys", () => {
    expect(stableStringify({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
});
