import { homedir } from "node:os";
import { resolve } from "node:path";
import { arr, cfg, obj, sandboxScopes, str } from "./helpers.js";
import type { AuditContext, Check, Hit } from "./types.js";

/** Host paths that must never be mounted into a sandbox (prefix match). */
const DANGEROUS_SOURCES = [
  "/",
  "/etc",
  "/root",
  "/home",
  "/proc",
  "/sys",
  "/dev",
  "/boot",
  "/var/run",
  "/run",
  "/var/lib/docker",
];

function dangerousBind(ctx: AuditContext, bind: string): string | undefined {
  const [srcRaw = "", , modeRaw] = bind.split(":");
  const src = resolve(srcRaw.replace(/^~(?=$|\/)/, homedir()));
  const mode = modeRaw ?? "rw";
  if (src.endsWith("docker.sock")) return "the Docker socket (root on the host)";
  const state = resolve(ctx.paths.stateDir);
  if (state === src || state.startsWith(`${src}/`)) return "the state dir (config, credentials, store)";
  if (src === homedir()) return "the home directory";
  if (DANGEROUS_SOURCES.includes(src)) return `the host's ${src}`;
  if (mode.includes("rw") && DANGEROUS_SOURCES.some((d) => d !== "/" && src.startsWith(`${d}/`)))
    return `a system path (${src}) read-write`;
  return undefined;
}

/** Sandbox configuration checks. */
export const SANDBOX_CHECKS: Check[] = [
  {
    id: "sandbox.mode_off",
    severity: "warn",
    title: "Sandboxing is off",
    why: "Tools run directly on the host as the gateway user.",
    fix: 'set agents.defaults.sandbox.mode "non-main" (the default) or "all"',
    run: (ctx) =>
      sandboxScopes(cfg(ctx))
        .filter((s) => str(s.sandbox.mode) === "off")
        .map((s) => ({ found: `${s.path}.mode is "off"` })),
  },
  {
    id: "sandbox.backend_host",
    severity: "warn",
    title: 'Sandbox backend "host"',
    why: 'The "host" backend is no isolation: commands run as the gateway user.',
    fix: 'use backend "docker" or "bwrap"',
    run: (ctx) =>
      sandboxScopes(cfg(ctx))
        .filter((s) => str(s.sandbox.backend) === "host" && str(s.sandbox.mode) !== "off")
        .map((s) => ({ found: `${s.path}.backend is "host"` })),
  },
  {
    id: "sandbox.backend_unavailable",
    severity: "warn",
    title: "No sandbox backend is available",
    why: "Sandboxed sessions cannot run tools (they fail closed) or an operator is tempted to turn the sandbox off.",
    fix: "install Docker (and let the gateway user reach its socket) or bubblewrap (apt install bubblewrap)",
    run: (ctx) => {
      const hits: Hit[] = [];
      for (const s of sandboxScopes(cfg(ctx))) {
        const mode = str(s.sandbox.mode) ?? "non-main";
        if (mode === "off") continue;
        const backend = str(s.sandbox.backend);
        if (backend === "docker" && !ctx.docker)
          hits.push({
            found: `${s.path}.backend is "docker" but the Docker Engine does not answer`,
            severity: "critical",
          });
        else if (backend === "bwrap" && !ctx.bwrap)
          hits.push({
            found: `${s.path}.backend is "bwrap" but bwrap is not installed`,
            severity: "critical",
          });
        else if (backend === undefined && !ctx.docker && !ctx.bwrap && s.path === "agents.defaults.sandbox")
          hits.push({ found: "neither the Docker Engine nor bwrap is available" });
      }
      return hits;
    },
  },
  {
    id: "sandbox.docker.network",
    severity: "warn",
    title: "Sandbox containers have network access",
    why: "A sandbox with network can exfiltrate workspace data or reach internal services.",
    fix: 'set sandbox.docker.network "none" (the default) and allow web access through tools',
    run: (ctx) =>
      sandboxScopes(cfg(ctx)).flatMap((s) => {
        const net = str(obj(s.sandbox.docker).network);
        if (net === undefined || net === "none") return [];
        const found = `${s.path}.docker.network is "${net}"`;
        return [net === "host" ? { found, severity: "critical" as const } : { found }];
      }),
  },
  {
    id: "sandbox.docker.dangerous_bind",
    severity: "critical",
    title: "Sandbox mounts a dangerous host path",
    why: "A mount of /, /etc, the home dir, the state dir or the Docker socket hands the host to the sandbox.",
    fix: "remove the bind, or mount a narrow project dir read-only",
    run: (ctx) =>
      sandboxScopes(cfg(ctx)).flatMap((s) =>
        arr(obj(s.sandbox.docker).binds)
          .filter((b): b is string => typeof b === "string")
          .flatMap((b) => {
            const why = dangerousBind(ctx, b);
            return why ? [{ found: `${s.path}.docker.binds "${b}" mounts ${why}` }] : [];
          }),
      ),
  },
  {
    id: "sandbox.docker.read_only_root_off",
    severity: "warn",
    title: "Sandbox root filesystem is writable",
    why: "A writable root lets a compromised command persist tools inside the container.",
    fix: "set sandbox.docker.readOnlyRoot true (the default)",
    run: (ctx) =>
      sandboxScopes(cfg(ctx))
        .filter((s) => obj(s.sandbox.docker).readOnlyRoot === false)
        .map((s) => ({ found: `${s.path}.docker.readOnlyRoot is false` })),
  },
  {
    id: "sandbox.docker.caps_not_dropped",
    severity: "warn",
    title: "Sandbox keeps Linux capabilities",
    why: "Capabilities such as NET_RAW or SYS_ADMIN widen what a container escape can do.",
    fix: 'set sandbox.docker.capDrop ["ALL"] (the default)',
    run: (ctx) =>
      sandboxScopes(cfg(ctx)).flatMap((s) => {
        const drop = obj(s.sandbox.docker).capDrop;
        return drop !== undefined && !arr(drop).includes("ALL")
          ? [{ found: `${s.path}.docker.capDrop is ${JSON.stringify(drop)}` }]
          : [];
      }),
  },
  {
    id: "sandbox.docker.seccomp_unconfined",
    severity: "critical",
    title: "Sandbox seccomp is disabled",
    why: "Without seccomp the container can call every kernel syscall, the usual path to an escape.",
    fix: "remove seccompProfile to use Docker's default profile, or point it at a stricter one",
    run: (ctx) =>
      sandboxScopes(cfg(ctx))
        .filter((s) => str(obj(s.sandbox.docker).seccompProfile) === "unconfined")
        .map((s) => ({ found: `${s.path}.docker.seccompProfile is "unconfined"` })),
  },
  {
    id: "sandbox.workspace_rw",
    severity: "info",
    title: "Sandbox can write the agent workspace",
    why: "Tools can change SOUL.md and the other identity files (soul verify will notice).",
    fix: 'use workspaceAccess "ro" or "none" unless the agent must edit its workspace',
    run: (ctx) =>
      sandboxScopes(cfg(ctx))
        .filter((s) => str(s.sandbox.workspaceAccess) === "rw")
        .map((s) => ({ found: `${s.path}.workspaceAccess is "rw"` })),
  },
];
