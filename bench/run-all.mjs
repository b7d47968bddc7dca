// `npm run bench`: runs every benchmark in bench/ (each prints JSON) several times, then writes
// bench/results/latest.json (every run's output plus median/min/max of every number) and
// bench/results/latest.md (the headline figures with their targets and whether the median met
// them). Figures are measured here, never asserted in tests.
//
// Flags: --runs N (default 3, or BENCH_REPEATS), --full-soak (the 200,000-message soak, once,
// instead of the quick soak), --only a,b (a subset), --no-write (print JSON only),
// --from-json FILE (no runs: re-render latest.md from an earlier latest.json).
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROWS } from "./_report-rows.mjs";

const run = promisify(execFile);
const dir = new URL(".", import.meta.url).pathname;
const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runs = Number(arg("--runs") ?? process.env.BENCH_REPEATS ?? 3);
const fullSoak = argv.includes("--full-soak");
const only = arg("--only")?.split(",");
const names = readdirSync(dir)
  .filter((n) => /\.(mjs|ts)$/.test(n) && n !== "run-all.mjs" && !n.startsWith("_"))
  .map((n) => n.replace(/\.(mjs|ts)$/, ""))
  .filter((n) => only === undefined || only.includes(n))
  .sort();

/** Numeric leaves of a JSON value as "a.b.c" -> number (arrays of series are skipped). */
function flatten(value, prefix = "", out = {}) {
  if (typeof value === "number" && Number.isFinite(value)) out[prefix] = value;
  else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === "" ? k : `${prefix}.${k}`, out);
  }
  return out;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const median = s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: Math.round(median * 1000) / 1000, min: s[0], max: s.at(-1), n: s.length };
}

const fromJson = arg("--from-json");
const earlier = fromJson === undefined ? undefined : JSON.parse(readFileSync(fromJson, "utf8"));
const results = earlier?.results ?? {};
const loadAtStart = loadavg()[0];
for (const name of earlier === undefined ? names : []) {
  const soak = name === "soak";
  const n = soak && fullSoak ? 1 : runs;
  const args = soak ? (fullSoak ? [] : ["--quick"]) : [];
  const outputs = [];
  const errors = [];
  for (let i = 0; i < n; i++) {
    process.stderr.write(`bench: ${name} ${args.join(" ")} run ${i + 1}/${n}\n`);
    try {
      const { stdout } = await run(process.execPath, [join(dir, `${name}.mjs`), ...args], {
        maxBuffer: 64 * 1024 * 1024,
        // A benchmark that hangs fails its run instead of stalling the report.
        timeout: (soak && fullSoak ? 40 : 6) * 60_000,
      });
      outputs.push(JSON.parse(stdout));
    } catch (err) {
      errors.push(String(err.stderr || err.message).slice(0, 2000));
    }
  }
  const flat = outputs.map((o) => flatten(o));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))];
  const agg = {};
  for (const k of keys) {
    const xs = flat.map((f) => f[k]).filter((x) => x !== undefined);
    if (xs.length > 0) agg[k] = stats(xs);
  }
  results[name] = { runs: outputs, stats: agg, ...(errors.length > 0 ? { errors } : {}) };
}

const machine = {
  // BENCH_NOTE says what else ran (nothing can be sure of that from inside); the 1-minute load
  // average at start and end is measured.
  note: process.env.BENCH_NOTE ?? "a shared machine; see the load averages for what else ran",
  loadAverage1m: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadavg()[0] * 100) / 100 },
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memGiB: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
};
const report = earlier ?? {
  generatedAt: new Date().toISOString(),
  machine,
  runsPerBenchmark: runs,
  fullSoak,
  results,
};

/** Says when a soak stopped at its time cap, with how far it got. */
function soakNote(soaks) {
  return soaks
    .filter((r) => r.completed === false)
    .map(
      (r) =>
        `The soak stopped at its ${r.maxSeconds} s cap after ${r.messages.sent} of ${r.messages.target} messages; its figures cover what it sent.`,
    );
}

const fmt = (x) => (x === undefined ? "n/a" : Math.abs(x) >= 100 ? String(Math.round(x)) : String(x));
const rows = ROWS.filter((r) => results[r.bench] !== undefined).map((r) => {
  const st = results[r.bench]?.stats[r.path];
  const met =
    st === undefined || r.target === undefined
      ? ""
      : (r.target.op === "<" ? st.median < r.target.value : st.median > r.target.value)
        ? "yes"
        : "no";
  return {
    ...r,
    median: st?.median,
    spread: st === undefined ? "n/a" : st.n > 1 ? `${fmt(st.min)} – ${fmt(st.max)}` : "1 run",
    met,
  };
});
const md = [
  "# Palisade benchmark report",
  "",
  `Generated ${report.generatedAt} by \`npm run bench${report.fullSoak ? " -- --full-soak" : ""}\` (${report.runsPerBenchmark} runs per benchmark; the soak ${report.fullSoak ? "in full, once" : "in quick mode"}).`,
  `Machine: ${report.machine.note}${report.machine.loadAverage1m === undefined ? "" : ` (load average ${report.machine.loadAverage1m.start} at start, ${report.machine.loadAverage1m.end} at end)`}; ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memGiB} GiB, Linux ${report.machine.kernel}, Node ${report.machine.node}.`,
  ...soakNote(results.soak?.runs ?? []),
  'Each figure is the median over the runs, with the lowest and highest run as its spread; "met" compares the median with the target.',
  "",
  "| Figure | Median | Spread (min – max) | Target | Met |",
  "| --- | ---: | ---: | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.label} | ${fmt(r.median)} ${r.unit} | ${r.spread} | ${r.target === undefined ? "—" : `${r.target.op} ${r.target.value} ${r.unit}`} | ${r.met || "—"} |`,
  ),
  "",
  ...Object.entries(results)
    .filter(([, r]) => r.errors !== undefined)
    .map(([name, r]) => `- **${name} failed ${r.errors.length} run(s):** ${r.errors[0]?.split("\n")[0]}`),
  "Every number of every run is in `latest.json`; each benchmark's file in bench/ says how it measures.",
  "",
].join("\n");

if (!argv.includes("--no-write")) {
  const out = join(dir, "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, "latest.md"), md);
  process.stderr.write(`bench: wrote ${join(out, "latest.json")} and latest.md\n`);
}
process.stdout.write(`${JSON.stringify(report)}\n`);
