// bench/agent: what Palisade adds to a chat run, and throughput across sessions. Starts the
// OpenAI emulator (test/emulators, bundled on the fly with esbuild) answering instantly, and a
// real `palisade gateway run` pointed at it. Overhead = chat round trip through the gateway
// (chat.send -> final `chat` event) minus the AI SDK provider's own streaming call (doStream,
// without the SDK's orchestration, as the gateway calls it) to the same emulator, interleaved in
// the same process run. Throughput: 100 sessions sending at once. Prints JSON.
// Target from the agent issue: under 2 ms added at p50. BENCH_RUNS sets the sample size (300).
// Also the gateway's CPU per sequential run (from /proc): on a shared machine the added latency
// swings with what else runs, the CPU the gateway spends per run much less.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { build } from "esbuild";
import WebSocket from "ws";
import { pct, root, round, startGateway, stop } from "./_gateway-lib.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 300);
const sessions = 100;

/** CPU time (user + system) a process used so far, ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) * 10;
}

async function loadEmulator() {
  const outfile = join(mkdtempSync(join(tmpdir(), "pal-bench-emu-")), "openai.mjs");
  await build({
    entryPoints: [join(root, "test", "emulators", "openai.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "silent",
  });
  return import(outfile);
}

/** A WS client with write scope that resolves runs on their terminal `chat` event. */
function connect(url, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map();
    const runs = new Map();
    let n = 0;
    const call = (method, params) =>
      new Promise((res, rej) => {
        const id = String(++n);
        pending.set(id, { res, rej });
        ws.send(JSON.stringify({ type: "req", id, method, params }));
      });
    ws.on("message", (data) => {
      const f = JSON.parse(String(data));
      if (f.type === "event" && f.event === "connect.challenge") {
        call("connect", {
          minProtocol: 4,
          maxProtocol: 4,
          client: { id: "cli", version: "bench", platform: process.platform, mode: "cli" },
          role: "operator",
          scopes: ["operator.read", "operator.write"],
          caps: [],
          auth: { token },
        }).then(() => resolve({ call, runs, close: () => ws.close() }), reject);
      } else if (f.type === "event" && f.event === "chat" && f.payload.state !== "delta") {
        runs.get(f.payload.runId)?.(f.payload);
        runs.delete(f.payload.runId);
      } else if (f.type === "res") {
        const p = pending.get(f.id);
        pending.delete(f.id);
        if (f.ok) p?.res(f.payload);
        else p?.rej(new Error(JSON.stringify(f.error)));
      }
    });
    ws.on("error", reject);
  });
}

/** One chat run through the gateway; resolves with the final payload. */
function chat(client, sessionKey, message) {
  const runId = randomUUID();
  const done = new Promise((r) => client.runs.set(runId, r));
  return client.call("chat.send", { sessionKey, message, idempotencyKey: runId }).then(() => done);
}

const { startOpenAIEmulator } = await loadEmulator();
const emu = await startOpenAIEmulator({ apiKey: "bench-key" });
emu.handle(() => ({ text: "ok", chunks: 1 }));
const gw = await startGateway({
  config: {
    models: {
      providers: {
        emu: { baseUrl: emu.baseUrl, apiKey: "bench-key", api: "openai-completions", models: [{ id: "m1" }] },
      },
    },
    agents: { defaults: { model: "emu/m1" } },
    logging: { level: "warn" },
  },
});
const client = await connect(gw.url, gw.token);
const model = createOpenAICompatible({
  name: "emu",
  baseURL: emu.baseUrl,
  apiKey: "bench-key",
  includeUsage: true,
}).chatModel("m1");
const direct = async (message) => {
  const prompt = [{ role: "user", content: [{ type: "text", text: message }] }];
  const { stream } = await model.doStream({ prompt });
  let text = "";
  for await (const part of stream) if (part.type === "text-delta") text += part.delta;
  return text;
};

// Warm up both paths (JIT, connection pools, SQLite pages).
for (let i = 0; i < 30; i++) {
  await direct("warm");
  await chat(client, `agent:main:warm-${i}`, "warm");
}
const viaGateway = [];
const viaSdk = [];
const gwCpu0 = cpuMs(gw.child.pid);
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  await direct(`hello ${i}`);
  viaSdk.push(performance.now() - t);
  t = performance.now();
  const final = await chat(client, `agent:main:bench-${i}`, `hello ${i}`);
  viaGateway.push(performance.now() - t);
  if (final.state !== "final") throw new Error(`run ended ${final.state}`);
}
const gwCpuPerRun = (cpuMs(gw.child.pid) - gwCpu0) / runs;

const t0 = performance.now();
const finals = await Promise.all(
  Array.from({ length: sessions }, (_, i) => chat(client, `agent:main:concurrent-${i}`, "hi")),
);
const elapsed = performance.now() - t0;

client.close();
await stop(gw.child);
await emu.close();

const p = (s, q) => round(pct(s, q), 3);
process.stdout.write(
  `${JSON.stringify({
    runs,
    directSdkMs: { p50: p(viaSdk, 50), p99: p(viaSdk, 99) },
    gatewayRoundTripMs: { p50: p(viaGateway, 50), p99: p(viaGateway, 99) },
    addedMs: {
      p50: round(pct(viaGateway, 50) - pct(viaSdk, 50), 3),
      p99: round(pct(viaGateway, 99) - pct(viaSdk, 99), 3),
      targetP50: 2,
    },
    gatewayCpuMsPerRun: round(gwCpuPerRun, 3),
    concurrentSessions: {
      sessions,
      ok: finals.filter((f) => f.state === "final").length,
      totalMs: round(elapsed, 1),
      runsPerSecond: round((sessions / elapsed) * 1000, 1),
      note: "lanes run at most 4 agent runs at once by default",
    },
  })}\n`,
);
