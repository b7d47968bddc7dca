import { describe, expect, it } from "vitest";
import { AuthRateLimiter } from "./rate-limit.js";

const make = (now: { t: number }, extra: Partial<ConstructorParameters<typeof AuthRateLimiter>[0]> = {}) =>
  new AuthRateLimiter({
    maxAttempts: 3,
    windowMs: 1000,
    lockoutMs: 5000,
    exemptLoopback: false,
    now: () => now.t,
    ...extra,
  });

describe("AuthRateLimiter", () => {
  it("locks out after maxAttempts within the window, loopback included, then releases", () => {
    const now = { t: 0 };
    const rl = make(now);
    rl.fail("127.0.0.1");
    rl.fail("127.0.0.1");
    expect(rl.check("127.0.0.1").locked).toBe(false);
    expect(rl.fail("127.0.0.1")).toEqual({ locked: true, retryAfterMs: 5000 });
    now.t = 4999;
    expect(rl.check("127.0.0.1")).toEqual({ locked: true, retryAfterMs: 1 });
    now.t = 5000;
    expect(rl.check("127.0.0.1").locked).toBe(false);
  });

  it("forgets failures outside the window and after success", () => {
    const now = { t: 0 };
    const rl = make(now);
    rl.fail("a");
    rl.fail("a");
    now.t = 1500;
    rl.fail("a");
    expect(rl.check("a").locked).toBe(false);
    rl.succeed("a");
    expect(rl.size).toBe(0);
  });

  it("exempts loopback only when configured", () => {
    const rl = make({ t: 0 }, { exemptLoopback: true, maxAttempts: 1 });
    expect(rl.fail("::1").locked).toBe(false);
    expect(rl.fail("10.0.0.1").locked).toBe(true);
  });

  it("stays bounded when addresses rotate", () => {
    const rl = make({ t: 0 }, { maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) rl.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(rl.size).toBeLessThanOrEqual(100);
  });
});
