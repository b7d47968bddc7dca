// CLI startup benchmark: wall time and max RSS of `palisade --version`, `--help` and
// `config validate` (against a temp state dir with a small valid config), each the median of
// RUNS runs after a warm-up, plus min/max. Prints one JSON object; never throws for a failing
// command (that entry gets an `error` field instead).
//
// Wall time is measured with process.hrtime around a direct spawnSync of the pinned Node (no
// wrapper). Max RSS comes from separate runs under GNU time (`/usr/bin/time -f %M`, the
// kernel's ru_maxrss of the child); without GNU time, from process.resourceUsage().maxRSS
// written by an --import preload at exit (which adds the preload's own small cost).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const RUNS = 10;
const WARMUP = 1;
const TARGET_MS = 120;
const root = fileURLToPath(new URL("..", import.meta.url));
const node = join(root, "node_modules", ".bin", "node");
const cli = join(root, "bin", "palisade.js");
const GNU_TIME = "/usr/bin/time";

const work = mkdtempSync(join(tmpdir(), "pal-bench-"));
const stateDir = join(work, "state");
const commands = {
  "--version": ["--version"],
  "--help": ["--help"],
  "config validate": ["--state-dir", stateDir, "config", "validate"],
};

function main() {
  const out = {
    node: existsSync(node) ? spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim() : null,
    runs: RUNS,
    warmup: WARMUP,
    targetMs: TARGET_MS,
    wallMethod: "process.hrtime around spawnSync of the pinned node running bin/palisade.js",
    rssMethod: hasGnuTime()
      ? "GNU time: /usr/bin/time -f %M (ru_maxrss of the child, KiB), separate runs"
      : "process.resourceUsage().maxRSS written at exit by an --import preload (GNU time not found)",
    commands: {},
    allMeetTarget: true,
  };
  try {
    if (!existsSync(node)) throw new Error(`pinned node not found at ${node}; run npm install`);
    if (!existsSync(join(root, "dist", "cli.js"))) build();
    setupState();
    for (const [name, args] of Object.entries(commands)) {
      let entry = measure(args);
      // Another build (e.g. a test run's global setup) may be replacing dist/ right now.
      if (entry.error?.includes("not built yet")) {
        build();
        entry = measure(args);
      }
      out.commands[name] = entry;
      if (!entry.meetsTarget) out.allMeetTarget = false;
    }
  } catch (err) {
    out.error = String(err?.message ?? err);
    out.allMeetTarget = false;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

function setupState() {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(stateDir, "palisade.json"),
    `// small valid config for the benchmark
{
  gateway: { port: 18789, bind: "loopback", auth: { mode: "token" } },
  logging: { level: "info", redactSensitive: "tools" },
}
`,
    { mode: 0o600 },
  );
}

function build() {
  const r = spawnSync(node, [join(root, "scripts", "build.mjs")], { encoding: "utf8", cwd: root });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr.slice(0, 500)}`);
}

function measure(args) {
  const argv = [cli, ...args];
  const env = { ...process.env, NO_COLOR: "1", PALISADE_STATE_DIR: stateDir };
  const entry = { argv: ["node", "bin/palisade.js", ...args] };
  const walls = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(node, argv, { encoding: "utf8", env, cwd: root });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error || r.status !== 0) {
      entry.exitCode = r.status;
      entry.error = (r.error?.message ?? r.stderr ?? "").trim().slice(0, 500) || `exit code ${r.status}`;
      entry.meetsTarget = false;
      return entry;
    }
    if (i >= WARMUP) walls.push(ms);
  }
  entry.exitCode = 0;
  entry.wallMs = stats(walls);
  const rss = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const kib = maxRssKiB(argv, env);
    if (typeof kib === "string") {
      entry.rssError = kib;
      break;
    }
    if (i >= WARMUP) rss.push(kib / 1024);
  }
  entry.maxRssMiB = rss.length === RUNS ? stats(rss) : null;
  entry.meetsTarget = entry.wallMs.median <= TARGET_MS;
  return entry;
}

function hasGnuTime() {
  if (!existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8" });
  return r.status === 0 && /^\d+\s*$/.test(r.stderr.trim().split("\n").at(-1) ?? "");
}

function maxRssKiB(argv, env) {
  const outFile = join(work, "rss.txt");
  if (hasGnuTimeCached()) {
    const r = spawnSync(GNU_TIME, ["-f", "%M", "-o", outFile, node, ...argv], {
      env,
      cwd: root,
      encoding: "utf8",
    });
    if (r.status !== 0) return `exit ${r.status}: ${r.stderr.trim().slice(0, 300)}`;
  } else {
    const preload = `data:text/javascript,process.on("exit",()=>process.getBuiltinModule("node:fs").writeFileSync(${JSON.stringify(outFile)},String(process.resourceUsage().maxRSS)))`;
    const r = spawnSync(node, ["--import", preload, ...argv], { env, cwd: root, encoding: "utf8" });
    if (r.status !== 0) return `exit ${r.status}: ${r.stderr.trim().slice(0, 300)}`;
  }
  const text = readFileSync(outFile, "utf8").trim();
  const n = Number(text.split("\n").at(-1));
  return Number.isFinite(n) ? n : `unreadable max RSS: ${text.slice(0, 100)}`;
}

let gnuTime;
function hasGnuTimeCached() {
  gnuTime ??= hasGnuTime();
  return gnuTime;
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = (v) => Math.round(v * 10) / 10;
  return { median: round(median), min: round(sorted[0]), max: round(sorted.at(-1)) };
}

main();
