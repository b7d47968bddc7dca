/**
 * The bubblewrap backend: every command runs in fresh namespaces (no network, private PID, IPC,
 * UTS, mount) with only system dirs read-only and the workspace mounted; prlimit bounds
 * processes, files and memory. A "sandbox" is its workspace; each exec takes milliseconds.
 */
import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { fail } from "../../core/errors.js";
import { newSandboxId } from "../labels.js";
import { killGroup, spawnRun } from "../spawn-run.js";
import {
  type Availability,
  type ExecOptions,
  type ExecResult,
  SANDBOX_WORKSPACE,
  type Sandbox,
  type SandboxBackend,
  type SandboxInfo,
  type SandboxPolicy,
} from "../types.js";
import {
  prepareWorkspace,
  readWorkspaceFile,
  releaseWorkspace,
  type WorkspaceMount,
  writeWorkspaceFile,
} from "../workspace.js";
import { type BwrapMode, bwrapCommand } from "./args.js";

const FIX = "install bubblewrap (Debian: apt-get install bubblewrap) and util-linux (prlimit, setpriv)";

/** bubblewrap backend. */
export class BwrapBackend implements SandboxBackend {
  /** Backend name. */
  readonly name = "bwrap" as const;
  /** root when this process is root (bwrap mounts, setpriv drops), else userns. */
  readonly mode: BwrapMode = process.getuid?.() === 0 ? "root" : "userns";
  private probe: Promise<Availability> | undefined;

  /** Checks the binaries and runs `true` in a sandbox once (cached). */
  available(): Promise<Availability> {
    this.probe ??= this.runProbe();
    return this.probe;
  }

  private async runProbe(): Promise<Availability> {
    for (const bin of ["/usr/bin/bwrap", "/usr/bin/prlimit", "/usr/bin/setpriv"]) {
      try {
        await access(bin, constants.X_OK);
      } catch {
        return { ok: false, reason: `${bin} is missing`, fix: FIX };
      }
    }
    const code = await new Promise<number>((resolve) => {
      const p = spawn("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "--die-with-parent", "true"], {
        stdio: "ignore",
      });
      p.on("error", () => resolve(-1));
      p.on("exit", (c) => resolve(c ?? -1));
    });
    if (code !== 0)
      return {
        ok: false,
        reason: "bwrap cannot create namespaces here (user namespaces disabled or a container without them)",
        fix: "enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or use docker",
      };
    return { ok: true, reason: `bubblewrap in ${this.mode} mode`, fix: "" };
  }

  /** Prepares the workspace; no process lives between commands. */
  async create(scopeKey: string, policy: SandboxPolicy): Promise<Sandbox> {
    if (policy.network !== "none")
      throw fail("PAL_SANDBOX_POLICY_REFUSED", {
        key: "sandbox.docker.network",
        detail: `bwrap can only run without network, not "${policy.network}"`,
        fix: 'use network "none" or the docker backend',
      });
    const id = newSandboxId(scopeKey);
    const mount = await prepareWorkspace(policy, id);
    return new BwrapSandbox(id, scopeKey, mount, policy, this.mode);
  }

  /** bwrap sandboxes live only as long as their commands; nothing to list. */
  async listExisting(): Promise<SandboxInfo[]> {
    return [];
  }

  /** Nothing to remove: private workspaces are removed by the manager. */
  async remove(_id: string): Promise<void> {}
}

class BwrapSandbox implements Sandbox {
  readonly backend = "bwrap" as const;
  readonly workspaceDir: string;
  private destroyed = false;
  private readonly running = new Set<number>();

  constructor(
    readonly id: string,
    readonly scopeKey: string,
    private readonly mount: WorkspaceMount,
    private readonly policy: SandboxPolicy,
    private readonly mode: BwrapMode,
  ) {
    this.workspaceDir = mount.hostDir;
  }

  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    if (this.destroyed) return Promise.reject(fail("PAL_SANDBOX_DESTROYED", { id: this.id }));
    const [file = "prlimit", ...args] = bwrapCommand({
      policy: this.policy,
      workspaceDir: this.mount.hostDir,
      workspaceReadOnly: this.mount.readOnly,
      argv,
      cwd: opts.cwd ?? SANDBOX_WORKSPACE,
      env: opts.env ?? {},
      mode: this.mode,
    });
    return spawnRun(file, args, opts, {
      backend: "bwrap",
      env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" },
      track: (pid, alive) => (alive ? this.running.add(pid) : this.running.delete(pid)),
    });
  }

  readFile(relPath: string, maxBytes?: number): Promise<Buffer> {
    return readWorkspaceFile(this.mount.hostDir, relPath, maxBytes);
  }

  writeFile(relPath: string, data: string | Uint8Array): Promise<void> {
    return writeWorkspaceFile(this.mount, relPath, data, this.policy.user);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const pid of this.running) killGroup(pid);
    await releaseWorkspace(this.mount);
  }
}
