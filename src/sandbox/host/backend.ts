/**
 * The host backend: no isolation. It exists for elevated runs that passed tool policy and an
 * approval, and can only be built from an {@link ElevatedGrant} that the approval flow issues;
 * sandbox config can never select it.
 */
import { fail } from "../../core/errors.js";
import { newSandboxId } from "../labels.js";
import { killGroup, spawnRun } from "../spawn-run.js";
import type {
  Availability,
  ExecOptions,
  ExecResult,
  Sandbox,
  SandboxBackend,
  SandboxInfo,
  SandboxPolicy,
} from "../types.js";
import { readWorkspaceFile, type WorkspaceMount, writeWorkspaceFile } from "../workspace.js";

/** Proof that an elevated run was allowed and approved. Only {@link issueElevatedGrant} makes one. */
export interface ElevatedGrant {
  /** Agent the grant is for. */
  readonly agentId: string;
  /** Approval record id (or "policy" when tools.elevated needs no approval). */
  readonly approvalId: string;
}

const issued = new WeakSet<ElevatedGrant>();

/**
 * Issues a grant; called by the tools layer after tools.elevated allowed the agent and the
 * approval (when required) was given. A grant built any other way is refused at run time.
 */
export function issueElevatedGrant(input: {
  agentId: string;
  approvalId: string;
  approved: true;
}): ElevatedGrant {
  if (input.approved !== true) throw fail("PAL_SANDBOX_HOST_REFUSED");
  const g = Object.freeze({ agentId: input.agentId, approvalId: input.approvalId });
  issued.add(g);
  return g;
}

/** True for a grant made by {@link issueElevatedGrant}. */
export function isElevatedGrant(g: unknown): g is ElevatedGrant {
  return typeof g === "object" && g !== null && issued.has(g as ElevatedGrant);
}

/** Runs commands directly on the host, in the agent workspace, as this process's user. */
export class HostBackend implements SandboxBackend {
  /** Backend name. */
  readonly name = "host" as const;

  /** @param grant an elevated grant; anything else throws PAL_SANDBOX_HOST_REFUSED */
  constructor(readonly grant: ElevatedGrant) {
    if (!isElevatedGrant(grant)) throw fail("PAL_SANDBOX_HOST_REFUSED");
  }

  /** Always available (it is the host). */
  async available(): Promise<Availability> {
    return { ok: true, reason: "host execution (no isolation)", fix: "" };
  }

  /** A handle on the agent workspace; workspaceAccess none/ro still limit readFile/writeFile. */
  async create(scopeKey: string, policy: SandboxPolicy): Promise<Sandbox> {
    const mount: WorkspaceMount = {
      hostDir: policy.agentWorkspace,
      readOnly: policy.workspaceAccess !== "rw",
      private: false,
    };
    return new HostSandbox(newSandboxId(scopeKey), scopeKey, mount, policy);
  }

  /** Nothing persists. */
  async listExisting(): Promise<SandboxInfo[]> {
    return [];
  }

  /** Nothing to remove. */
  async remove(_id: string): Promise<void> {}
}

class HostSandbox implements Sandbox {
  readonly backend = "host" as const;
  readonly workspaceDir: string;
  private readonly running = new Set<number>();

  constructor(
    readonly id: string,
    readonly scopeKey: string,
    private readonly mount: WorkspaceMount,
    private readonly policy: SandboxPolicy,
  ) {
    this.workspaceDir = mount.hostDir;
  }

  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    const [file, ...args] = argv;
    if (!file) return Promise.reject(fail("PAL_USAGE", { detail: "empty argv" }));
    const cwd = opts.cwd?.startsWith("/workspace")
      ? this.mount.hostDir + opts.cwd.slice("/workspace".length)
      : (opts.cwd ?? this.mount.hostDir);
    return spawnRun(file, args, opts, {
      backend: "host",
      cwd,
      env: {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        HOME: this.mount.hostDir,
        ...this.policy.env,
        ...opts.env,
      },
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
    for (const pid of this.running) killGroup(pid);
  }
}
