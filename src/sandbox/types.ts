/**
 * The sandbox port: where tools run isolated from the host. A backend (docker, bwrap, host)
 * creates sandboxes for a scope key under a resolved policy; a sandbox runs argv vectors and
 * reads/writes files inside its workspace mount.
 */

/** Names of the backends that exist; `host` is never selectable through plain config. */
export type BackendName = "docker" | "bwrap" | "host";

/** How the agent workspace appears inside the sandbox at {@link SANDBOX_WORKSPACE}. */
export type WorkspaceAccess = "none" | "ro" | "rw";

/** Where the workspace is mounted inside every sandbox. */
export const SANDBOX_WORKSPACE = "/workspace";

/** A soft/hard resource limit pair. */
export interface Ulimit {
  /** Soft limit. */
  readonly soft: number;
  /** Hard limit. */
  readonly hard: number;
}

/**
 * The fully resolved, validated and frozen policy a backend enforces. Every field has a
 * bounded value; nothing is left for the backend to default.
 */
export interface SandboxPolicy {
  /** none: a private per-sandbox dir; ro/rw: the agent workspace, read-only or writable. */
  readonly workspaceAccess: WorkspaceAccess;
  /** Agent workspace on the host (mounted for ro/rw). */
  readonly agentWorkspace: string;
  /** Root under which private per-sandbox dirs are created. */
  readonly workspaceRoot: string;
  /** Docker image (docker backend). Default `palisade-sandbox:bookworm-slim`. */
  readonly image: string;
  /** "none" (default) or "bridge"/a user network; host and container:<id> are refused. */
  readonly network: string;
  /** Read-only root filesystem. Default true. */
  readonly readOnlyRoot: boolean;
  /** uid:gid the sandboxed processes run as (never 0). */
  readonly user: { readonly uid: number; readonly gid: number };
  /** Memory limit in bytes. Default 512 MiB. */
  readonly memoryBytes: number;
  /** Memory+swap limit in bytes; equal to memoryBytes (no swap) by default. */
  readonly memorySwapBytes: number;
  /** CPU quota in cores. Default 1. */
  readonly cpus: number;
  /** Max processes in the sandbox. Default 256. */
  readonly pidsLimit: number;
  /** ulimits by name (nproc 256, nofile 1024 by default). */
  readonly ulimits: Readonly<Record<string, Ulimit>>;
  /** tmpfs mounts "path:options" (default "/tmp:rw,nosuid,nodev,size=64m,mode=1777"). */
  readonly tmpfs: readonly string[];
  /** Extra binds "host:container[:ro|rw]" that passed the safety check. */
  readonly binds: readonly string[];
  /** Fixed environment inside the sandbox. */
  readonly env: Readonly<Record<string, string>>;
  /** Capabilities dropped (always includes ALL unless configured otherwise; never fewer). */
  readonly capDrop: readonly string[];
  /** Seccomp profile file (docker only); default: Docker's default profile. */
  readonly seccompProfile?: string;
  /** Command run once after creation (docker only), e.g. installing packages. */
  readonly setupCommand?: string;
}

/** Options for one command. */
export interface ExecOptions {
  /** Working dir inside the sandbox; default the workspace mount. */
  readonly cwd?: string;
  /** Extra environment (the caller filters it; the sandbox adds PATH/HOME). */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the whole process tree after this long. Required: every run is bounded. */
  readonly timeoutMs: number;
  /** Bytes kept per stream; past it the output is cut off and the run killed. */
  readonly maxOutputBytes: number;
  /** Bytes written to stdin, then stdin is closed. Default: stdin closed at once. */
  readonly stdin?: string | Uint8Array;
  /** Aborts the run like a timeout. */
  readonly signal?: AbortSignal;
  /** Streamed stdout chunks (only the kept bytes). */
  readonly onStdout?: (chunk: Buffer) => void;
  /** Streamed stderr chunks (only the kept bytes). */
  readonly onStderr?: (chunk: Buffer) => void;
}

/** What a finished command produced. */
export interface ExecResult {
  /** Exit code; 128+n when killed by signal n; -1 when unknown. */
  readonly exitCode: number;
  /** The signal name when the run was killed (timeout, abort, output cap, OOM). */
  readonly signal?: string;
  /** Kept stdout (utf8). */
  readonly stdout: string;
  /** Kept stderr (utf8). */
  readonly stderr: string;
  /** True when output went past maxOutputBytes and was cut off. */
  readonly truncated: boolean;
  /** True when the run was killed for taking longer than timeoutMs. */
  readonly timedOut: boolean;
  /** Wall time of the run. */
  readonly durationMs: number;
}

/** One live sandbox. */
export interface Sandbox {
  /** Stable id (container name for docker). */
  readonly id: string;
  /** The backend that made it. */
  readonly backend: BackendName;
  /** The scope key it was created for. */
  readonly scopeKey: string;
  /** Host dir mounted at /workspace. */
  readonly workspaceDir: string;
  /** Runs argv (no shell) inside the sandbox. */
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult>;
  /** Reads a file inside the workspace mount (relative path; symlinks are not followed). */
  readFile(relPath: string, maxBytes?: number): Promise<Buffer>;
  /** Writes a file inside the workspace mount; refused when the workspace is read-only. */
  writeFile(relPath: string, data: string | Uint8Array): Promise<void>;
  /** Kills everything inside and removes the sandbox and its private workspace. Idempotent. */
  destroy(): Promise<void>;
}

/** Whether a backend can run here, and if not, how to fix it. */
export interface Availability {
  /** True when the backend can create sandboxes now. */
  readonly ok: boolean;
  /** Why not (or a short description when ok). */
  readonly reason: string;
  /** What to install or start to make it available. */
  readonly fix: string;
}

/** A record of a sandbox a backend knows about, for `sandbox list` and pruning. */
export interface SandboxInfo {
  /** Sandbox id. */
  readonly id: string;
  /** Backend name. */
  readonly backend: BackendName;
  /** Scope key it serves. */
  readonly scopeKey: string;
  /** Creation time (ms since epoch). */
  readonly createdAt: number;
  /** State as the backend sees it, e.g. "running". */
  readonly state: string;
  /** Image (docker) or "-" . */
  readonly image: string;
}

/** A sandbox backend: docker, bwrap or host. */
export interface SandboxBackend {
  /** Backend name. */
  readonly name: BackendName;
  /** Probes whether sandboxes can be created here. */
  available(): Promise<Availability>;
  /** Creates a sandbox for the scope under the policy. */
  create(scopeKey: string, policy: SandboxPolicy): Promise<Sandbox>;
  /** Sandboxes of this backend left by any process of this install (labelled). */
  listExisting(): Promise<SandboxInfo[]>;
  /** Removes a sandbox by id (orphan cleanup, prune). */
  remove(id: string): Promise<void>;
}
