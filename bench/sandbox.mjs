// bench/sandbox: p50/p99 latency of a trivial exec (`true`) in a warm sandbox and of creating
// a new sandbox, per backend (docker over the Engine API, bubblewrap). Prints JSON.
// Targets from the sandbox issue: warm exec < 60 ms on docker, < 10 ms on bwrap.
// Needs dockerd and bwrap (scripts/setup-system.sh); a missing backend is reported, not faked.
// Uses palisade-sandbox:bookworm-slim when built, else a static-busybox image it imports.
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";

const WARM_RUNS = Number(process.env.BENCH_SANDBOX_RUNS ?? 100);
const CREATE_RUNS = Number(process.env.BENCH_SANDBOX_CREATES ?? 10);
const work = await mkdtemp("/var/tmp/palisade-bench-sandbox-");
// Bundled inside the repo so the external dockerode resolves from its node_modules.
const cacheDir = new URL("../node_modules/.cache/palisade-bench/", import.meta.url).pathname;
await mkdir(cacheDir, { recursive: true });
const bundle = join(cacheDir, `sandbox-${process.pid}.mjs`);
await build({
  entryPoints: [new URL("../src/sandbox/index.ts", import.meta.url).pathname],
  outfile: bundle,
  bundle: true,
  format: "esm",
  platform: "node",
  external: ["dockerode"],
  logLevel: "error",
});
const sandbox = await import(`file://${bundle}`);
await rm(bundle, { force: true });

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
};
const stats = (xs) => ({ p50: pct(xs, 50), p99: pct(xs, 99), runs: xs.length });

async function busyboxImage(docker, tag) {
  try {
    await docker.getImage(tag).inspect();
    return;
  } catch {}
  const root = join(work, "rootfs");
  for (const d of ["bin", "etc", "tmp", "workspace"]) await mkdir(join(root, d), { recursive: true });
  await chmod(join(root, "tmp"), 0o1777);
  await writeFile(join(root, "bin/busybox"), await readFile("/usr/bin/busybox"), { mode: 0o755 });
  for (const n of ["sh", "true", "sleep", "cat", "echo"]) await symlink("busybox", join(root, "bin", n));
  const tar = spawn("tar", ["--numeric-owner", "-C", root, "-c", "."], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [repo, t] = tag.split(":");
  const stream = await docker.importImage(tar.stdout, { repo, tag: t });
  await new Promise((res, rej) => docker.modem.followProgress(stream, (e) => (e ? rej(e) : res())));
}

async function benchBackend(backend, policy) {
  const a = await backend.available();
  if (!a.ok) return { available: false, reason: a.reason, fix: a.fix };
  const opts = { timeoutMs: 10_000, maxOutputBytes: 4096 };
  const sb = await backend.create("bench-warm", policy);
  const warm = [];
  try {
    for (let i = 0; i < 5; i++) await sb.exec(["true"], opts);
    for (let i = 0; i < WARM_RUNS; i++) {
      const t = performance.now();
      const r = await sb.exec(["true"], opts);
      warm.push(performance.now() - t);
      if (r.exitCode !== 0) throw new Error(`exec failed: ${r.stderr}`);
    }
  } finally {
    await sb.destroy();
  }
  const create = [];
  for (let i = 0; i < CREATE_RUNS; i++) {
    const t = performance.now();
    const s = await backend.create(`bench-create-${i}`, policy);
    await s.exec(["true"], opts);
    create.push(performance.now() - t);
    await s.destroy();
  }
  return { available: true, warmExecMs: stats(warm), createAndFirstExecMs: stats(create) };
}

const results = {};
try {
  const settings = (image) =>
    sandbox.resolveSandboxSettings(
      { workspaceAccess: "none", docker: { image } },
      { agentWorkspace: join(work, "ws"), defaultWorkspaceRoot: join(work, "sandboxes") },
    );
  const docker = new sandbox.DockerBackend({ home: work });
  let image = sandbox.SANDBOX_DEFAULTS.image;
  if ((await docker.available()).ok) {
    try {
      await docker.docker.getImage(image).inspect();
    } catch {
      image = "palisade-bench-busybox:1";
      await busyboxImage(docker.docker, image);
    }
  }
  results.docker = {
    image,
    target: { warmExecP50Ms: 60 },
    ...(await benchBackend(docker, settings(image).policy)),
  };
  results.bwrap = {
    target: { warmExecP50Ms: 10 },
    ...(await benchBackend(new sandbox.BwrapBackend(), settings(image).policy)),
  };
  for (const k of ["docker", "bwrap"]) {
    const r = results[k];
    if (r.available) r.meetsTarget = r.warmExecMs.p50 < r.target.warmExecP50Ms;
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
