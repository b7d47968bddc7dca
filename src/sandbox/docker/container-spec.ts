/** Builds the Docker Engine API container-create body for a sandbox policy (pure; unit-tested). */
import type Docker from "dockerode";
import { LABEL_CREATED, LABEL_HOME, LABEL_SANDBOX, LABEL_SCOPE } from "../labels.js";
import { SANDBOX_WORKSPACE, type SandboxPolicy } from "../types.js";

/** PATH inside sandbox images. */
export const SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

/** Inputs besides the policy. */
export interface ContainerSpecInput {
  /** Container name (the sandbox id). */
  readonly name: string;
  /** Scope key, stored as a label. */
  readonly scopeKey: string;
  /** Install id label. */
  readonly home: string;
  /** Host dir mounted at /workspace. */
  readonly workspaceDir: string;
  /** Mount it read-only. */
  readonly workspaceReadOnly: boolean;
  /** Seccomp profile JSON (already read from the configured file), if any. */
  readonly seccompJson?: string;
  /** Creation time for the label. */
  readonly now: number;
}

function tmpfsMap(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const i = e.indexOf(":");
    const path = i < 0 ? e : e.slice(0, i);
    out[path] = i < 0 ? "rw,nosuid,nodev,size=64m,mode=1777" : e.slice(i + 1);
  }
  return out;
}

/**
 * The hardened create body: no network (unless configured), read-only root, every capability
 * dropped, no-new-privileges, unprivileged user, pids/memory/CPU limits, ulimits, tmpfs /tmp,
 * an init that reaps zombies, and only the workspace (plus vetted binds) from the host.
 */
export function containerSpec(
  policy: SandboxPolicy,
  input: ContainerSpecInput,
): Docker.ContainerCreateOptions {
  const env = { PATH: SANDBOX_PATH, HOME: SANDBOX_WORKSPACE, LANG: "C.UTF-8", ...policy.env };
  const securityOpt = ["no-new-privileges:true"];
  if (input.seccompJson) securityOpt.push(`seccomp=${input.seccompJson}`);
  return {
    name: input.name,
    Image: policy.image,
    Cmd: ["sleep", "2147483647"],
    User: `${policy.user.uid}:${policy.user.gid}`,
    WorkingDir: SANDBOX_WORKSPACE,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    NetworkDisabled: policy.network === "none",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    Labels: {
      [LABEL_SANDBOX]: "1",
      [LABEL_HOME]: input.home,
      [LABEL_SCOPE]: input.scopeKey.slice(0, 200),
      [LABEL_CREATED]: String(input.now),
    },
    HostConfig: {
      NetworkMode: policy.network,
      ReadonlyRootfs: policy.readOnlyRoot,
      Privileged: false,
      CapDrop: [...policy.capDrop],
      CapAdd: [],
      SecurityOpt: securityOpt,
      PidsLimit: policy.pidsLimit,
      Memory: policy.memoryBytes,
      MemorySwap: policy.memorySwapBytes,
      NanoCpus: Math.round(policy.cpus * 1e9),
      Ulimits: Object.entries(policy.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })),
      Tmpfs: tmpfsMap(policy.tmpfs),
      Binds: [
        `${input.workspaceDir}:${SANDBOX_WORKSPACE}:${input.workspaceReadOnly ? "ro" : "rw"}`,
        ...policy.binds,
      ],
      IpcMode: "private",
      Init: true,
      OomScoreAdj: 500,
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "none", Config: {} },
      AutoRemove: false,
    },
  };
}
