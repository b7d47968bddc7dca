/**
 * The agent lane cap as config (`agents.defaults.maxConcurrent`, OpenClaw's key): validated,
 * applied at start and on hot reload (a raised cap starts waiting runs at once, a lowered one
 * takes effect as runs end). Channel throughput depends on it: the default of 4 serializes a
 * busy gateway's runs behind four slow model calls.
 */
import { describe, expect, it } from "vitest";
import { LaneScheduler } from "../src/agent/index.js";
import { configSchema } from "../src/config/index.js";

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}
const tick = () => new Promise((r) => setImmediate(r));

describe("agents.defaults.maxConcurrent", () => {
  it("is accepted on agents.defaults only, as an integer from 1 to 256", () => {
    const ok = configSchema.safeParse({ agents: { defaults: { maxConcurrent: 16 } } });
    expect(ok.success && ok.data.agents?.defaults?.maxConcurrent).toBe(16);
    for (const bad of [0, 257, 1.5, "8"]) {
      expect(configSchema.safeParse({ agents: { defaults: { maxConcurrent: bad } } }).success).toBe(false);
    }
    expect(configSchema.safeParse({ agents: { list: [{ id: "a", maxConcurrent: 2 }] } }).success).toBe(false);
  });

  it("setMaxConcurrent raises the cap at once and lowers it as runs end", async () => {
    const lanes = new LaneScheduler({ maxConcurrent: 1 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      lanes.run(`s${i}`, async () => {
        started.push(i);
        await g.p;
      }),
    );
    await tick();
    expect(started).toEqual([0]);
    lanes.setMaxConcurrent(3);
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect(lanes.stats().active).toBe(3);

    lanes.setMaxConcurrent(1);
    const late = gate();
    const lateRun = lanes.run("s9", async () => {
      started.push(9);
      await late.p;
    });
    gates[0]?.open();
    gates[1]?.open();
    await tick();
    await tick();
    expect(started).not.toContain(9);
    gates[2]?.open();
    await Promise.all(runs);
    await tick();
    expect(started).toContain(9);
    late.open();
    await lateRun;
  });
});
