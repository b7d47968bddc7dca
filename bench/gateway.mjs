// bench/gateway: time from spawn to hello-ok, idle RSS, health RPC latency and throughput of a
// real `palisade gateway run`. Prints JSON. Targets from the gateway issue: ready < 200 ms,
// idle RSS < 80 MiB, throughput > 10,000 req/s. BENCH_IDLE_MS shortens the idle wait (30 s).
// `atStart` is sampled as the gateway starts listening; `afterIdle` after the idle wait, by which
// time the gateway has run its one memory-reducing GC of start-up garbage (about 1 s after its
// deferred start-up work; see src/gateway/process/startup-memory.ts).
import { connect, pct, round, rssMiB, startGateway, stop } from "./_gateway-lib.mjs";

const idleMs = Number(process.env.BENCH_IDLE_MS ?? 30_000);

async function readyTimes(runs) {
  const sample = [];
  for (let i = 0; i < runs; i++) {
    const gw = await startGateway();
    let client;
    for (;;) {
      try {
        client = await connect(gw.url, gw.token);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    sample.push(performance.now() - gw.spawnedAt);
    client.close();
    await stop(gw.child);
  }
  return sample;
}

const ready = await readyTimes(5);
const gw = await startGateway();
const rssStart = rssMiB(gw.child.pid);
await new Promise((r) => setTimeout(r, idleMs));
const rssIdle = rssMiB(gw.child.pid);

const c = await connect(gw.url, gw.token);
for (let i = 0; i < 200; i++) await c.call("health"); // warm-up
const lat = [];
for (let i = 0; i < 1000; i++) {
  const t = performance.now();
  await c.call("health");
  lat.push(performance.now() - t);
}
c.close();

const conns = await Promise.all(Array.from({ length: 20 }, () => connect(gw.url, gw.token)));
const t0 = performance.now();
await Promise.all(
  conns.map(async (cc) => {
    const batch = [];
    for (let i = 0; i < 200; i++) batch.push(cc.call("health"));
    await Promise.all(batch);
  }),
);
const secs = (performance.now() - t0) / 1000;
for (const cc of conns) cc.close();
const rssAfterLoad = rssMiB(gw.child.pid);
const exitCode = await stop(gw.child);

const readyP50 = pct(ready, 50);
const throughput = Math.round(4000 / secs);
process.stdout.write(
  `${JSON.stringify(
    {
      readyMs: {
        p50: round(readyP50),
        min: round(Math.min(...ready)),
        max: round(Math.max(...ready)),
        runs: ready.length,
        target: 200,
        meetsTarget: readyP50 < 200,
      },
      idleRssMiB: {
        atStart: rssStart,
        afterIdle: rssIdle,
        idleMs,
        afterLoad: rssAfterLoad,
        target: 80,
        meetsTarget: rssIdle !== null && rssIdle < 80,
      },
      healthLatencyMs: { p50: round(pct(lat, 50), 3), p99: round(pct(lat, 99), 3), n: lat.length },
      throughput: {
        connections: 20,
        requestsPerConnection: 200,
        reqPerSec: throughput,
        target: 10_000,
        meetsTarget: throughput > 10_000,
        pipelined: true,
      },
      shutdownExitCode: exitCode,
    },
    null,
    2,
  )}\n`,
);
