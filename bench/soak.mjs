// bench/soak: a long run of Telegram DMs through a real `palisade gateway run`, with the Bot API
// emulator and the OpenAI emulator (test/emulators) in this process, all on 127.0.0.1.
//
// SOAK_SENDERS (default 100) senders each keep one message in flight (send, wait for the reply,
// send the next), like people chatting, until SOAK_MESSAGES (default 200,000; 10,000 with
// --quick) were sent or SOAK_MAX_SECONDS (default 1800; 240 with --quick) passed: the run is
// always bounded and a capped run reports what it did with "completed": false.
// Every second: the gateway's RSS from /proc/<pid>/status and its `status` RPC (event-loop
// delay windows from perf_hooks.monitorEventLoopDelay, load). Prints JSON:
// - rss: linear fit of RSS after warm-up (from 10% of the messages, but not before
//   SOAK_WARMUP_SECONDS, default 20, so a short run does not fit the heap's first growth) to
//   the end; growthPct is the fitted growth across that part (target under 5%);
//   growthPctFrom10 is the same fit from exactly 10% of the run;
// - lost (no reply by the end, target 0), duplicates (more than one reply to a message),
//   refused (busy notices), throughput;
// - eventLoop: worst and typical 1 s windows after warm-up; blockMs = max delay minus the
//   sampling resolution, i.e. the longest stall in wall-clock time (target under 50 ms), and
//   longestSyncCpuMs, the most CPU time the main thread ran inside one stall (a blocking system
//   call does not count there: `worst` and --trace-gc/strace tell those apart); `worst`
//   lists the five worst windows with the GC time inside each one's longest stall (the gateway
//   matches PerformanceObserver 'gc' entries to it) and the likely cause, `gc` the pauses over
//   the run.
// Diagnosis: BENCH_GATEWAY_NODE_ARGS passes node flags to the gateway (e.g. --trace-gc, or
// --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=/tmp); SOAK_GATEWAY_OUT=<file> keeps its stdout.
// Flags: --quick, --messages N, --senders N, --max-seconds N, --series (include the RSS series).
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { linearFit, loadEmulators } from "./_emulators.mjs";
import { connect, root, round, startGateway, stop } from "./_gateway-lib.mjs";

const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes("--quick");
const total = Number(flag("--messages") ?? process.env.SOAK_MESSAGES ?? (quick ? 10_000 : 200_000));
const senders = Number(flag("--senders") ?? process.env.SOAK_SENDERS ?? 100);
const maxSeconds = Number(flag("--max-seconds") ?? process.env.SOAK_MAX_SECONDS ?? (quick ? 240 : 1800));
const warmupS = Number(process.env.SOAK_WARMUP_SECONDS ?? 20);
const REPLY_WAIT_MS = 60_000;
const DRAIN_MS = 30_000;

const { startOpenAIEmulator, startTelegramEmulator } = await loadEmulators();
const llm = await startOpenAIEmulator({ apiKey: "soak-key" });
llm.handle(() => ({ text: "ok", chunks: 1 }));
const tg = await startTelegramEmulator();
// Each soak sender chats far faster than a person: per-sender rate limits (access control,
// where this checkout has it) are turned off so they measure the gateway, not the limiter.
const access = existsSync(join(root, "src", "config", "schema", "access.ts"))
  ? { access: { rateLimit: { enabled: false } } }
  : {};
const gw = await startGateway({
  config: {
    ...access,
    models: {
      providers: {
        emu: { baseUrl: llm.baseUrl, apiKey: "soak-key", api: "openai-completions", models: [{ id: "m1" }] },
      },
    },
    agents: { defaults: { model: "emu/m1" } },
    session: { dmScope: "per-channel-peer" },
    logging: { level: "warn" },
    channels: {
      telegram: {
        botToken: tg.token,
        apiRoot: tg.apiRoot,
        streamMode: "off",
        pollTimeoutSeconds: 10,
        dmPolicy: "open",
        allowFrom: ["*"],
      },
    },
  },
});
const pid = gw.child.pid;
// SOAK_GATEWAY_OUT=<file>: the gateway's stdout (e.g. --trace-gc lines from
// BENCH_GATEWAY_NODE_ARGS) goes to that file for diagnosis.
if (process.env.SOAK_GATEWAY_OUT) gw.child.stdout.pipe(createWriteStream(process.env.SOAK_GATEWAY_OUT));
const rpc = await connect(gw.url, gw.token);

// Replies by "<chat>:<message id>"; a waiter per message in flight.
const replies = new Map();
const waiters = new Map();
let refused = 0;
tg.onSent = (b) => {
  if (b.replyTo === undefined) return;
  const key = `${b.chatId}:${b.replyTo}`;
  replies.set(key, (replies.get(key) ?? 0) + 1);
  if (b.text.startsWith("I'm busy")) refused++;
  const w = waiters.get(key);
  if (w !== undefined) {
    waiters.delete(key);
    w();
  }
};
// The emulators keep every bot message and every model request (with its whole history); the
// soak counts replies in onSent, so it drops those copies (200,000 requests would not fit).
const trimSent = setInterval(() => {
  tg.sent.length = 0;
  llm.requests.length = 0;
}, 1000);

const injected = [];
let sent = 0;
let answered = 0;
let late = 0;
const t0 = performance.now();
const wallT0 = Date.now();
const deadline = t0 + maxSeconds * 1000;
const elapsedS = () => (performance.now() - t0) / 1000;

const samples = [];
const loopWindows = new Map();
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    samples.push({ t: elapsedS(), progress: answered / total, rssMiB: kb / 1024 });
    try {
      const st = await rpc.call("status", {});
      for (const w of st.gateway?.eventLoop?.windows ?? []) {
        if (!loopWindows.has(w.seq)) loopWindows.set(w.seq, { ...w, progress: answered / total });
      }
      samples.at(-1).load = st.gateway?.load;
      samples.at(-1).resolutionMs = st.gateway?.eventLoop?.resolutionMs;
    } catch {
      // A status call that fails is a missing sample, not a failed soak.
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
})();

async function sender(i) {
  const chat = 300_000 + i;
  while (sent < total && performance.now() < deadline) {
    const n = sent++;
    const mid = tg.inject({ chatId: chat, from: { id: chat }, text: `soak ${n}` });
    const key = `${chat}:${mid}`;
    injected.push(key);
    if (!replies.has(key)) {
      const ok = await new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          resolve(false);
        }, REPLY_WAIT_MS);
        waiters.set(key, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!ok) late++;
    }
    answered++;
  }
}
await Promise.all(Array.from({ length: senders }, (_, i) => sender(i)));
const runS = elapsedS();
// Late replies may still come: wait (bounded) until every injected message has one.
const drainEnd = performance.now() + DRAIN_MS;
while (injected.some((k) => !replies.has(k)) && performance.now() < drainEnd) {
  await new Promise((r) => setTimeout(r, 200));
}
sampling = false;
await sampler;
clearInterval(trimSent);
const final = await rpc.call("status", {}).catch(() => undefined);
rpc.close();
await stop(gw.child);
await tg.close();
await llm.close();

const lost = injected.filter((k) => !replies.has(k)).length;
const duplicates = injected.reduce((a, k) => a + Math.max(0, (replies.get(k) ?? 0) - 1), 0);
/** Fitted RSS growth in % over the samples from `from` on. */
function growth(from) {
  const part = samples.filter(from);
  const fit = linearFit(part.map((s) => [s.t, s.rssMiB]));
  const a = fit.intercept + fit.slope * (part[0]?.t ?? 0);
  const b = fit.intercept + fit.slope * (part.at(-1)?.t ?? 0);
  return { part, fit, pct: part.length >= 3 && a > 0 ? ((b - a) / a) * 100 : null };
}
const warm = growth((s) => s.progress >= 0.1 && s.t >= warmupS);
const from10 = growth((s) => s.progress >= 0.1);
const after = warm.part;
const fit = warm.fit;
const windows = [...loopWindows.values()].filter(
  (w) => w.progress >= 0.1 && w.progress < 1 && (w.endedAt - wallT0) / 1000 >= warmupS,
);
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)] ?? null;
const resolutionMs = samples.find((s) => s.resolutionMs !== undefined)?.resolutionMs ?? 10;
const maxDelay = windows.length > 0 ? Math.max(...windows.map((w) => w.max)) : null;
const growthPct = warm.pct;
/**
 * One window as the report shows it, with what most likely blocked the loop. The gateway times
 * the window's longest stall itself and sums the GC pauses inside that very stretch (`longest`):
 * when they make up at least half of it, the block was the collector (often several scavenges
 * inside one long allocating stretch); when the main thread used less than half of it as CPU
 * time, it was off the CPU (a busy machine, or a blocking system call); otherwise it was our own
 * synchronous code.
 */
const describe = (w) => {
  const blockMs = Math.max(0, w.max - resolutionMs);
  const longest = w.longest ?? null;
  const cause =
    longest === null
      ? "unknown (the gateway does not time its stalls)"
      : longest.ms > 0 && longest.gcMs >= longest.ms / 2
        ? `gc (${longest.gcKind}; ${longest.gcMs} ms of the ${longest.ms} ms stall)`
        : longest.cpuMs !== undefined && longest.cpuMs < longest.ms / 2
          ? `off the CPU (the thread ran ${longest.cpuMs} ms of the ${longest.ms} ms stall: waiting for a core, or blocked in a system call)`
          : `synchronous code (GC ${longest.gcMs} ms of the ${longest.ms} ms stall)`;
  return {
    atS: round((w.endedAt - wallT0) / 1000, 1),
    progress: round(w.progress, 3),
    maxMs: w.max,
    p99Ms: w.p99,
    blockMs: round(blockMs, 2),
    longest,
    gc: w.gc ?? null,
    heapUsedMiB: w.heapUsedMiB ?? null,
    cause,
  };
};
// The longest stretch the main thread actually ran (CPU time, GC on the main thread included)
// inside one stall: the synchronous work the target is about, without the time a busy machine
// kept the thread off a core.
const cpuStalls = windows.filter((w) => typeof w.longest?.cpuMs === "number");
const longestSyncCpuMs =
  cpuStalls.length > 0 ? Math.max(...cpuStalls.map((w) => Math.min(w.longest.cpuMs, w.longest.ms))) : null;
const worstWindows = [...windows]
  .sort((a, b) => b.max - a.max)
  .slice(0, 5)
  .map(describe);
const gcWindows = windows.filter((w) => w.gc !== undefined);
const gcMs = (f) => (gcWindows.length > 0 ? Math.max(...gcWindows.map(f)) : null);
const rssAll = samples.map((s) => s.rssMiB);

process.stdout.write(
  `${JSON.stringify({
    mode: quick ? "quick" : "full",
    messages: { target: total, sent, answered: injected.length - lost, lost, duplicates, late, refused },
    senders,
    completed: sent >= total,
    maxSeconds,
    elapsedS: round(runS, 1),
    messagesPerSecond: round(sent / runS, 1),
    rss: {
      startMiB: round(rssAll[0] ?? 0, 1),
      afterWarmupMiB: round(after[0]?.rssMiB ?? 0, 1),
      warmupS: round(after[0]?.t ?? 0, 1),
      endMiB: round(rssAll.at(-1) ?? 0, 1),
      maxMiB: round(Math.max(...rssAll), 1),
      fitSlopeMiBPerMin: round(fit.slope * 60, 3),
      growthPct: growthPct === null ? null : round(growthPct, 2),
      growthPctFrom10: from10.pct === null ? null : round(from10.pct, 2),
      targetPct: 5,
      met: growthPct !== null && growthPct < 5,
      samples: samples.length,
      ...(argv.includes("--series")
        ? { series: samples.map((s) => [round(s.t, 1), round(s.rssMiB, 1)]) }
        : {}),
    },
    eventLoop: {
      resolutionMs,
      windows: windows.length,
      maxMs: maxDelay,
      blockMs: maxDelay === null ? null : round(Math.max(0, maxDelay - resolutionMs), 2),
      longestSyncCpuMs: longestSyncCpuMs === null ? null : round(longestSyncCpuMs, 2),
      p99WorstWindowMs: windows.length > 0 ? Math.max(...windows.map((w) => w.p99)) : null,
      p99MedianWindowMs: median(windows.map((w) => w.p99)),
      sinceStart: final?.gateway?.eventLoop?.sinceStart ?? null,
      // The five worst windows after warm-up, each with its GC pauses and likely cause.
      worst: worstWindows,
      gc: {
        maxPauseMs: gcMs((w) => w.gc.maxMs),
        maxPerSecondMs: gcMs((w) => w.gc.totalMs),
        medianPerSecondMs: median(gcWindows.map((w) => w.gc.totalMs)),
        medianCollectionsPerSecond: median(gcWindows.map((w) => w.gc.count)),
        heapUsedMaxMiB: gcMs((w) => w.heapUsedMiB ?? 0),
        // The lowest heap in use at a window's end comes right after a major collection: close
        // to the live set. Far below heapTotalMaxMiB, RSS is garbage headroom, not retention.
        heapUsedMinMiB: gcWindows.length > 0 ? Math.min(...gcWindows.map((w) => w.heapUsedMiB ?? 0)) : null,
        heapTotalMaxMiB: gcMs((w) => w.heapTotalMiB ?? 0),
      },
      targetBlockMs: 50,
      met: maxDelay !== null && maxDelay - resolutionMs < 50,
    },
    finalLoad: final?.gateway?.load ?? null,
  })}\n`,
);
