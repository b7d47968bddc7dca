/**
 * Resolves `agents.defaults.sandbox` + `agents.list[].sandbox` into the effective settings and a
 * frozen {@link SandboxPolicy}, applying the documented defaults and refusing any setting that
 * would weaken isolation (host networking, the Docker socket or system dirs as binds, root).
 */
import { realpathSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import type { SandboxConfig } from "../config/schema/sandbox.js";
import { fail } from "../core/errors.js";
import type { SandboxPolicy, Ulimit, WorkspaceAccess } from "./types.js";

/** off: tools run on the host; non-main: every session but the main one; all: every session. */
export type SandboxMode = "off" | "non-main" | "all";
/** One sandbox per session, per agent, or one shared by all. */
export type SandboxScope = "session" | "agent" | "shared";
/** Backend choice in config; `host` is refused by {@link resolveSandboxSettings}. */
export type BackendChoice = "auto" | "docker" | "bwrap";

/** The effective sandbox settings of one agent. */
export interface SandboxSettings {
  /** Default non-main. */
  readonly mode: SandboxMode;
  /** Default session. */
  readonly scope: SandboxScope;
  /** Default auto (docker, then bwrap). */
  readonly backend: BackendChoice;
  /** The policy every sandbox of this agent gets. */
  readonly policy: SandboxPolicy;
  /** Remove sandboxes idle this long (default 24 h; 0 disables). */
  readonly idleMs: number;
  /** Remove sandboxes older than this (default 7 days; 0 disables). */
  readonly maxAgeMs: number;
  /** Most live sandboxes (default 32). */
  readonly maxSandboxes: number;
}

/** Documented defaults, applied when neither the agent nor agents.defaults sets a key. */
export const SANDBOX_DEFAULTS = Object.freeze({
  mode: "non-main" as SandboxMode,
  scope: "session" as SandboxScope,
  workspaceAccess: "none" as WorkspaceAccess,
  backend: "auto" as BackendChoice,
  image: "palisade-sandbox:bookworm-slim",
  network: "none",
  readOnlyRoot: true,
  memory: "512m",
  cpus: 1,
  pidsLimit: 256,
  ulimits: { nproc: { soft: 256, hard: 256 }, nofile: { soft: 1024, hard: 1024 } },
  tmpfs: ["/tmp:rw,nosuid,nodev,size=64m,mode=1777"],
  idleHours: 24,
  maxAgeDays: 7,
  maxSandboxes: 32,
  uid: 1000,
  gid: 1000,
});

/** Where the agent workspace and sandbox workspaces live for this agent. */
export interface PolicyPaths {
  /** The agent workspace (mounted for ro/rw). */
  readonly agentWorkspace: string;
  /** Default root of private sandbox workspaces, used when `workspaceRoot` is not set. */
  readonly defaultWorkspaceRoot: string;
  /** The uid this process runs as (the default sandbox user when not root). Default process.getuid(). */
  readonly processUid?: number;
  /** The gid this process runs as. */
  readonly processGid?: number;
}

/** Merges agent settings over agents.defaults (the docker and prune sections key by key). */
export function mergeSandboxConfig(
  defaults: SandboxConfig | undefined,
  agent: SandboxConfig | undefined,
): SandboxConfig {
  const d = defaults ?? {};
  const a = agent ?? {};
  const out: SandboxConfig = { ...d, ...a };
  if (d.docker || a.docker) out.docker = { ...d.docker, ...a.docker };
  if (d.prune || a.prune) out.prune = { ...d.prune, ...a.prune };
  return out;
}

const refuse = (key: string, detail: string, fix: string) =>
  fail("PAL_SANDBOX_POLICY_REFUSED", { key, detail, fix });

/** Parses "512m", "1g", "1048576" or a number of bytes. */
export function parseBytes(v: string | number, key: string): number {
  if (typeof v === "number") return v;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(v.trim());
  if (!m?.[1]) throw refuse(key, `"${v}" is not a size`, 'write it like "512m" or "1g"');
  const unit = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? "").toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}

/** Host paths that must never be mounted into a sandbox, nor anything under them. */
const FORBIDDEN_UNDER = [
  "/proc",
  "/sys",
  "/dev",
  "/etc",
  "/boot",
  "/root",
  "/run",
  "/var/run",
  "/var/lib/docker",
];
/** Host paths that must not be mounted themselves (their children may be fine, e.g. /home/u/proj). */
const FORBIDDEN_EXACT = [
  "/",
  "/home",
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib64",
  "/var",
  "/opt",
  "/srv",
  "/tmp",
];

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** Throws when a bind would expose the Docker socket, a system dir or the host root. */
export function checkBind(spec: string): void {
  const parts = spec.split(":");
  const host = parts[0] ?? "";
  const target = parts[1];
  const mode = parts[2];
  const key = "sandbox.docker.binds";
  if (!isAbsolute(host) || !target || !isAbsolute(target) || parts.length > 3)
    throw refuse(
      key,
      `"${spec}" is not "/abs/host:/abs/container[:ro|rw]"`,
      "use absolute paths on both sides",
    );
  if (mode !== undefined && mode !== "ro" && mode !== "rw")
    throw refuse(key, `"${spec}" has mode "${mode}"`, 'use ":ro" or ":rw"');
  const candidates = [normalize(host)];
  try {
    candidates.push(realpathSync(host));
  } catch {
    // a missing path is checked by name only; docker would create it empty
  }
  for (const p of candidates) {
    const bad =
      /(^|\/)(docker|containerd|podman)\.sock$/.test(p) ||
      FORBIDDEN_UNDER.some((r) => under(p, r)) ||
      FORBIDDEN_EXACT.includes(p.replace(/\/+$/, "") || "/");
    if (bad)
      throw refuse(
        key,
        `"${spec}" mounts ${p} (the container engine socket, the host root or a system dir)`,
        "bind only a project directory, or mount the workspace with workspaceAccess",
      );
  }
  if (under(normalize(target), "/workspace") || normalize(target) === "/")
    throw refuse(key, `"${spec}" targets ${target}`, "the workspace mount is set by workspaceAccess");
}

function parseUser(v: string | undefined, paths: PolicyPaths): { uid: number; gid: number } {
  if (v === undefined) {
    const uid = paths.processUid ?? process.getuid?.() ?? SANDBOX_DEFAULTS.uid;
    const gid = paths.processGid ?? process.getgid?.() ?? SANDBOX_DEFAULTS.gid;
    return uid === 0 ? { uid: SANDBOX_DEFAULTS.uid, gid: SANDBOX_DEFAULTS.gid } : { uid, gid };
  }
  const m = /^(\d+)(?::(\d+))?$/.exec(v);
  if (!m?.[1])
    throw refuse("sandbox.docker.user", `"${v}" is not numeric`, 'write "uid:gid", e.g. "1000:1000"');
  const uid = Number(m[1]);
  const gid = m[2] === undefined ? uid : Number(m[2]);
  if (uid === 0 || gid === 0)
    throw refuse("sandbox.docker.user", "root inside the sandbox", 'use an unprivileged "uid:gid"');
  return { uid, gid };
}

function ulimitsOf(v: NonNullable<SandboxConfig["docker"]>["ulimits"]): Record<string, Ulimit> {
  const out: Record<string, Ulimit> = { ...SANDBOX_DEFAULTS.ulimits };
  for (const [name, val] of Object.entries(v ?? {})) {
    const u = typeof val === "number" ? { soft: val, hard: val } : val;
    if (u.soft < 0 || u.hard < 0)
      throw refuse(`sandbox.docker.ulimits.${name}`, "unlimited", "give a bounded number");
    out[name] = u;
  }
  return out;
}

/**
 * Resolves one agent's effective sandbox settings. Throws PAL_SANDBOX_HOST_REFUSED for
 * backend "host" and PAL_SANDBOX_POLICY_REFUSED for anything that weakens isolation.
 */
export function resolveSandboxSettings(cfg: SandboxConfig, paths: PolicyPaths): SandboxSettings {
  if (cfg.backend === "host") throw fail("PAL_SANDBOX_HOST_REFUSED");
  const d = cfg.docker ?? {};
  const network = d.network ?? SANDBOX_DEFAULTS.network;
  if (network === "host" || network.startsWith("container:") || network.startsWith("ns:"))
    throw refuse(
      "sandbox.docker.network",
      `"${network}" shares a network namespace with the host or another container`,
      'use "none" (default) or a dedicated bridge network',
    );
  for (const b of d.binds ?? []) checkBind(b);
  const capDrop = d.capDrop ?? ["ALL"];
  if (!capDrop.some((c) => c.toUpperCase() === "ALL"))
    throw refuse("sandbox.docker.capDrop", `[${capDrop.join(", ")}] keeps capabilities`, 'include "ALL"');
  if (d.seccompProfile === "unconfined")
    throw refuse(
      "sandbox.docker.seccompProfile",
      "unconfined disables seccomp",
      "remove it to keep the default profile",
    );
  const memoryBytes = parseBytes(d.memory ?? SANDBOX_DEFAULTS.memory, "sandbox.docker.memory");
  const swap =
    d.memorySwap === undefined ? memoryBytes : parseBytes(d.memorySwap, "sandbox.docker.memorySwap");
  if (swap < 0) throw refuse("sandbox.docker.memorySwap", "unlimited swap", "leave it unset (no swap)");
  const prune = cfg.prune ?? {};
  const policy: SandboxPolicy = {
    workspaceAccess: cfg.workspaceAccess ?? SANDBOX_DEFAULTS.workspaceAccess,
    agentWorkspace: paths.agentWorkspace,
    workspaceRoot: cfg.workspaceRoot ?? paths.defaultWorkspaceRoot,
    image: d.image ?? SANDBOX_DEFAULTS.image,
    network,
    readOnlyRoot: d.readOnlyRoot ?? SANDBOX_DEFAULTS.readOnlyRoot,
    user: parseUser(d.user, paths),
    memoryBytes,
    memorySwapBytes: Math.max(swap, memoryBytes),
    cpus: d.cpus ?? SANDBOX_DEFAULTS.cpus,
    pidsLimit: d.pidsLimit ?? SANDBOX_DEFAULTS.pidsLimit,
    ulimits: ulimitsOf(d.ulimits),
    tmpfs: d.tmpfs ?? SANDBOX_DEFAULTS.tmpfs,
    binds: d.binds ?? [],
    env: d.env ?? {},
    capDrop,
    ...(d.seccompProfile === undefined ? {} : { seccompProfile: d.seccompProfile }),
    ...(d.setupCommand === undefined ? {} : { setupCommand: d.setupCommand }),
  };
  return Object.freeze({
    mode: cfg.mode ?? SANDBOX_DEFAULTS.mode,
    scope: cfg.scope ?? SANDBOX_DEFAULTS.scope,
    backend: cfg.backend ?? SANDBOX_DEFAULTS.backend,
    policy: Object.freeze(policy),
    idleMs: (prune.idleHours ?? SANDBOX_DEFAULTS.idleHours) * 3_600_000,
    maxAgeMs: (prune.maxAgeDays ?? SANDBOX_DEFAULTS.maxAgeDays) * 86_400_000,
    maxSandboxes: prune.maxSandboxes ?? SANDBOX_DEFAULTS.maxSandboxes,
  });
}

/** The default root of private sandbox workspaces under a state dir. */
export function defaultWorkspaceRoot(stateDir: string): string {
  return join(stateDir, "sandboxes");
}
