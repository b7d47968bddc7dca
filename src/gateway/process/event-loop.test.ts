import { afterEach, describe, expect, it } from "vitest";
import { EventLoopMonitor, type LoopWindow } from "./event-loop.js";

let monitor: EventLoopMonitor | undefined;
afterEach(() => {
  monitor?.close();
  monitor = undefined;
});

/** Allocates short-lived garbage until V8 has collected at least once (young generation). */
function churn(): number {
  let kept = 0;
  for (let i = 0; i < 400_000; i++) {
    const o = { i, s: `x${i}`, a: [i, i + 1] };
    kept += o.a.length;
  }
  return kept;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("EventLoopMonitor", () => {
  it("reports GC pauses per window and since start, with the heap in use", async () => {
    monitor = new EventLoopMonitor({ windowMs: 100, keep: 50 });
    let windows: LoopWindow[] = [];
    let since: { gc?: { count: number } } = {};
    // Collections are observed asynchronously: churn until one shows up (bounded).
    for (let round = 0; round < 50; round++) {
      churn();
      await tick(120);
      const snap = monitor.snapshot() as { windows: LoopWindow[]; sinceStart: typeof since };
      windows = snap.windows;
      since = snap.sinceStart;
      if ((since.gc?.count ?? 0) > 0 && windows.some((w) => w.gc.count > 0)) break;
    }
    expect(since.gc?.count).toBeGreaterThan(0);
    const withGc = windows.find((w) => w.gc.count > 0);
    expect(withGc?.gc).toMatchObject({ count: expect.any(Number), maxMs: expect.any(Number) });
    expect(["minor", "major", "incremental", "weak", "other"]).toContain(withGc?.gc.maxKind);
    expect(withGc?.gc.totalMs).toBeGreaterThanOrEqual(withGc?.gc.maxMs ?? 0);
    expect(windows.every((w) => w.heapUsedMiB > 0 && w.heapTotalMiB >= w.heapUsedMiB)).toBe(true);
    // GC time inside a window's longest stall never exceeds the stretch it is matched to.
    for (const w of windows) expect(w.longest.gcMs).toBeLessThanOrEqual(w.longest.ms + 10 + 0.01);
    // Windows are numbered once each, so a reader polling `status` can skip those it has.
    const seqs = windows.map((w) => w.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("times a window's longest stall", async () => {
    monitor = new EventLoopMonitor({ windowMs: 100, keep: 50 });
    await tick(30);
    const until = performance.now() + 60;
    while (performance.now() < until) {
      // Synchronous work: the stall timer cannot fire meanwhile.
    }
    let windows: LoopWindow[] = [];
    for (let i = 0; i < 50 && !windows.some((w) => w.longest.ms > 0); i++) {
      await tick(100);
      windows = (monitor.snapshot() as { windows: LoopWindow[] }).windows;
    }
    expect(windows.some((w) => w.longest.ms > 0)).toBe(true);
    // The stall's CPU time is the main thread's own (this spin ran on it).
    expect(windows.some((w) => w.longest.ms > 0 && w.longest.cpuMs > 0)).toBe(true);
  });

  it("keeps only the last `keep` windows", async () => {
    monitor = new EventLoopMonitor({ windowMs: 100, keep: 2 });
    await tick(450);
    const snap = monitor.snapshot() as { windows: LoopWindow[] };
    expect(snap.windows.length).toBeLessThanOrEqual(2);
  });
});
