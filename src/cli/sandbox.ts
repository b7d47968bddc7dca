import type { Command } from "commander";
import { action, type CliContext } from "./context.js";

/** Loads the sandbox module only when a sandbox command runs, so `palisade --help` stays fast. */
const sandboxModule = () => import("../sandbox/index.js");

async function agentsOf(ctx: CliContext) {
  const { loadConfig } = await import("../config/index.js");
  return (await loadConfig({ paths: ctx.paths })).config.agents;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

interface Row {
  id: string;
  backend: string;
  state: string;
  scope: string;
  image: string;
  createdAt: number;
  lastUsedAt: number;
}

async function rows(ctx: CliContext): Promise<Row[]> {
  const { DockerBackend, ActivityMarks, defaultWorkspaceRoot } = await sandboxModule();
  const docker = new DockerBackend({ home: ctx.paths.stateDir });
  if (!(await docker.available()).ok) return [];
  const marks = new ActivityMarks(`${defaultWorkspaceRoot(ctx.paths.stateDir)}/.activity`);
  const out: Row[] = [];
  for (const i of await docker.listExisting()) {
    const used = (await marks.lastUsed(i.id)) ?? i.createdAt;
    out.push({
      id: i.id,
      backend: i.backend,
      state: i.state,
      scope: i.scopeKey,
      image: i.image,
      createdAt: i.createdAt,
      lastUsedAt: used,
    });
  }
  return out;
}

async function list(ctx: CliContext, opts: { json?: boolean }): Promise<number> {
  const found = await rows(ctx);
  if (opts.json) {
    ctx.out(JSON.stringify({ sandboxes: found }, null, 2));
    return 0;
  }
  if (found.length === 0) {
    ctx.out("no sandbox containers (bwrap sandboxes live only while a command runs)");
    return 0;
  }
  const now = Date.now();
  ctx.out(["ID", "BACKEND", "STATE", "AGE", "IDLE", "SCOPE", "IMAGE"].join("\t"));
  for (const r of found)
    ctx.out(
      [r.id, r.backend, r.state, ago(now - r.createdAt), ago(now - r.lastUsedAt), r.scope, r.image].join(
        "\t",
      ),
    );
  return 0;
}

async function explain(ctx: CliContext, agentId: string, opts: { json?: boolean }): Promise<number> {
  const { explainSandbox, DockerBackend, BwrapBackend } = await sandboxModule();
  const agents = await agentsOf(ctx);
  const backends = [new DockerBackend({ home: ctx.paths.stateDir }), new BwrapBackend()];
  const e = await explainSandbox(agents, agentId, ctx.paths.stateDir, backends);
  if (opts.json) {
    ctx.out(JSON.stringify(e, null, 2));
    return 0;
  }
  const p = e.policy;
  ctx.out(`agent ${e.agentId}`);
  ctx.out(`  mode       ${e.mode.value}  (${e.mode.source})`);
  ctx.out(`  scope      ${e.scope.value}  (${e.scope.source})`);
  ctx.out(`  backend    ${e.backend.choice} -> ${e.backend.selected ?? "none"}: ${e.backend.why}`);
  for (const [name, a] of Object.entries(e.backends))
    ctx.out(
      `    ${name.padEnd(8)} ${a.ok ? "available" : "unavailable"}: ${a.reason}${a.ok ? "" : `; ${a.fix}`}`,
    );
  ctx.out(
    `  workspace  ${p.workspaceAccess}${p.workspaceAccess === "none" ? ` (private dirs under ${p.workspaceRoot})` : ` (${p.agentWorkspace})`}`,
  );
  ctx.out(`  network    ${p.network}`);
  ctx.out(
    `  root       ${p.readOnlyRoot ? "read-only" : "writable"}; capDrop ${p.capDrop.join(",")}; no-new-privileges`,
  );
  ctx.out(`  user       ${p.user.uid}:${p.user.gid}`);
  ctx.out(
    `  limits     memory ${Math.round(p.memoryBytes / 1024 ** 2)} MiB, cpus ${p.cpus}, pids ${p.pidsLimit}, ` +
      Object.entries(p.ulimits)
        .map(([k, u]) => `${k} ${u.soft}/${u.hard}`)
        .join(", "),
  );
  ctx.out(`  image      ${p.image} (docker)`);
  for (const n of e.notes) ctx.out(`  note: ${n}`);
  return 0;
}

async function prune(ctx: CliContext, opts: { all?: boolean; json?: boolean }): Promise<number> {
  const { DockerBackend, ActivityMarks, agentSandboxSettings, defaultWorkspaceRoot } = await sandboxModule();
  const agents = await agentsOf(ctx);
  const s = agentSandboxSettings(agents, agents?.list?.[0]?.id ?? "main", ctx.paths.stateDir);
  const docker = new DockerBackend({ home: ctx.paths.stateDir });
  const marks = new ActivityMarks(`${defaultWorkspaceRoot(ctx.paths.stateDir)}/.activity`);
  const now = Date.now();
  const removed: string[] = [];
  for (const r of await rows(ctx)) {
    const idle = s.idleMs > 0 && now - r.lastUsedAt >= s.idleMs;
    const old = s.maxAgeMs > 0 && now - r.createdAt >= s.maxAgeMs;
    if (!opts.all && !idle && !old && r.state === "running") continue;
    await docker.remove(r.id);
    await marks.forget(r.id);
    removed.push(r.id);
  }
  if (opts.json) ctx.out(JSON.stringify({ removed }, null, 2));
  else
    ctx.out(removed.length === 0 ? "nothing to prune" : `removed ${removed.length}: ${removed.join(", ")}`);
  return 0;
}

async function build(
  ctx: CliContext,
  opts: { image?: string; method?: string; mirror?: string; packages?: string },
): Promise<number> {
  const { DockerBackend, buildSandboxImage, SANDBOX_DEFAULTS } = await sandboxModule();
  const docker = new DockerBackend({ home: ctx.paths.stateDir });
  const a = await docker.available();
  if (!a.ok) {
    const { fail } = await import("../core/errors.js");
    throw fail("PAL_SANDBOX_BUILD_FAILED", {
      image: opts.image ?? SANDBOX_DEFAULTS.image,
      detail: `${a.reason}; ${a.fix}`,
    });
  }
  const method = opts.method === "dockerfile" || opts.method === "debootstrap" ? opts.method : "auto";
  const used = await buildSandboxImage({
    docker: docker.docker,
    method,
    onProgress: (l) => ctx.err(`  ${l}`),
    ...(opts.image ? { image: opts.image } : {}),
    ...(opts.mirror ? { mirror: opts.mirror } : {}),
    ...(opts.packages ? { packages: opts.packages.split(",").filter(Boolean) } : {}),
  });
  ctx.out(`built ${opts.image ?? SANDBOX_DEFAULTS.image} (${used})`);
  return 0;
}

/** `palisade sandbox list|explain|prune|build`. */
export function registerSandboxCommands(program: Command): void {
  const sb = program.command("sandbox").description("Inspect, prune and build the sandboxes tools run in");
  sb.command("list")
    .description("list sandbox containers of this install with age and idle time")
    .option("--json", "print JSON")
    .action(action(list));
  sb.command("explain <agent>")
    .description("show the effective sandbox mode, scope, backend and policy of an agent, and why")
    .option("--json", "print JSON")
    .action(action(explain));
  sb.command("prune")
    .description("remove sandbox containers idle or older than the configured limits (or stopped)")
    .option("--all", "remove every sandbox container of this install")
    .option("--json", "print JSON")
    .action(action(prune));
  sb.command("build")
    .description(
      "build the default sandbox image (Dockerfile on debian:bookworm-slim, or debootstrap offline)",
    )
    .option("--image <tag>", "image tag (default palisade-sandbox:bookworm-slim)")
    .option("--method <m>", "auto | dockerfile | debootstrap (default auto)")
    .option("--mirror <url>", "Debian mirror for debootstrap")
    .option("--packages <list>", "comma-separated Debian packages to include")
    .action(action(build));
}
