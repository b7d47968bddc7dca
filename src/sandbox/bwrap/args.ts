/** Builds the prlimit + bubblewrap (+ setpriv) command line for one run (pure; unit-tested). */
import { lstatSync, readlinkSync } from "node:fs";
import { SANDBOX_WORKSPACE, type SandboxPolicy } from "../types.js";

/** PATH inside bwrap sandboxes. */
const PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
/** System dirs made visible read-only (or as the same symlink on merged-/usr systems). */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** Single /etc entries programs need to start (dynamic loader cache, Debian alternatives). */
const ETC_FILES = [
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/alternatives",
  "/etc/localtime",
];

/** How bwrap gets its privileges. */
export type BwrapMode =
  /** This process is root: bwrap mounts as root, then setpriv drops to the sandbox uid, no caps. */
  | "root"
  /** Unprivileged: bwrap uses a user namespace and runs as this process's uid. */
  | "userns";

/** One run's inputs. */
export interface BwrapRun {
  /** The policy. */
  readonly policy: SandboxPolicy;
  /** Host dir mounted at /workspace. */
  readonly workspaceDir: string;
  /** Mount it read-only. */
  readonly workspaceReadOnly: boolean;
  /** Command. */
  readonly argv: readonly string[];
  /** Working dir inside. */
  readonly cwd: string;
  /** Extra environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Privilege mode. */
  readonly mode: BwrapMode;
}

function systemMounts(): string[] {
  const out: string[] = [];
  for (const d of SYSTEM_DIRS) {
    try {
      const st = lstatSync(d);
      if (st.isSymbolicLink()) out.push("--symlink", readlinkSync(d), d);
      else if (st.isDirectory()) out.push("--ro-bind", d, d);
    } catch {
      // not on this system
    }
  }
  for (const f of ETC_FILES) out.push("--ro-bind-try", f, f);
  return out;
}

function sizeOf(opts: string): string[] {
  const m = /(?:^|,)size=(\d+)([kmg]?)/i.exec(opts);
  if (!m?.[1]) return [];
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? "").toLowerCase()] ?? 1;
  return ["--size", String(Number(m[1]) * unit)];
}

/** The full command line: [file, ...args]. */
export function bwrapCommand(run: BwrapRun): string[] {
  const { policy } = run;
  const nproc = Math.min(policy.pidsLimit, policy.ulimits.nproc?.hard ?? policy.pidsLimit);
  const nofile = policy.ulimits.nofile?.hard ?? 1024;
  const limits = [
    "prlimit",
    `--nproc=${nproc}`,
    `--nofile=${nofile}`,
    `--data=${policy.memoryBytes}`,
    "--core=0",
    "--",
  ];
  const ns =
    run.mode === "root"
      ? ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
      : [
          "--unshare-all",
          "--disable-userns",
          "--uid",
          String(policy.user.uid),
          "--gid",
          String(policy.user.gid),
        ];
  const mounts = [...systemMounts(), "--proc", "/proc", "--dev", "/dev"];
  for (const t of policy.tmpfs) {
    const i = t.indexOf(":");
    mounts.push(
      "--perms",
      "1777",
      ...sizeOf(i < 0 ? "" : t.slice(i + 1)),
      "--tmpfs",
      i < 0 ? t : t.slice(0, i),
    );
  }
  mounts.push(run.workspaceReadOnly ? "--ro-bind" : "--bind", run.workspaceDir, SANDBOX_WORKSPACE);
  for (const b of policy.binds) {
    const [host = "", target = "", mode] = b.split(":");
    mounts.push(mode === "rw" ? "--bind" : "--ro-bind", host, target);
  }
  if (policy.readOnlyRoot) mounts.push("--remount-ro", "/");
  const env = { PATH, HOME: SANDBOX_WORKSPACE, LANG: "C.UTF-8", ...policy.env, ...run.env };
  const envArgs = ["--clearenv", ...Object.entries(env).flatMap(([k, v]) => ["--setenv", k, v])];
  const drop =
    run.mode === "root"
      ? [
          "/usr/bin/setpriv",
          `--reuid=${policy.user.uid}`,
          `--regid=${policy.user.gid}`,
          "--clear-groups",
          "--inh-caps=-all",
          "--bounding-set=-all",
          "--no-new-privs",
          "--",
        ]
      : [];
  return [
    ...limits,
    "bwrap",
    ...ns,
    "--die-with-parent",
    "--new-session",
    ...(run.mode === "userns" ? ["--cap-drop", "ALL"] : []),
    ...mounts,
    "--chdir",
    run.cwd,
    ...envArgs,
    "--",
    ...drop,
    ...run.argv,
  ];
}
