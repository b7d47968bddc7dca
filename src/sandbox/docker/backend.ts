/** The docker backend: one long-lived hardened container per sandbox, commands via exec. */
import { readFile } from "node:fs/promises";
import { request } from "node:http";
import { createRequire } from "node:module";
import type Docker from "dockerode";
import { fail } from "../../core/errors.js";
import { homeId, LABEL_CREATED, LABEL_HOME, LABEL_SANDBOX, LABEL_SCOPE, newSandboxId } from "../labels.js";
import type {
  Availability,
  ExecOptions,
  ExecResult,
  Sandbox,
  SandboxBackend,
  SandboxInfo,
  SandboxPolicy,
} from "../types.js";
import {
  prepareWorkspace,
  readWorkspaceFile,
  releaseWorkspace,
  type WorkspaceMount,
  writeWorkspaceFile,
} from "../workspace.js";
import { containerSpec } from "./container-spec.js";
import { dockerExec } from "./exec.js";

/** Options of {@link DockerBackend}. */
export interface DockerBackendOptions {
  /** Engine API socket; default $DOCKER_HOST (unix://) or /var/run/docker.sock. */
  readonly socketPath?: string;
  /** Names the install whose sandboxes this backend manages (the state dir). Required. */
  readonly home: string;
  /** How long the availability probe waits; default 2000 ms. */
  readonly probeTimeoutMs?: number;
}

/** The default Engine API socket path. */
export function defaultDockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const h = env.DOCKER_HOST;
  return h?.startsWith("unix://") ? h.slice("unix://".length) : "/var/run/docker.sock";
}

// dockerode (with ssh2 and grpc) costs ~30 MiB and ~150 ms to load: it is required on first use
// of a container, never at import. The availability probe and the orphan listing talk to the
// Engine API directly over its socket, so a gateway start with nothing to remove never loads it.
let dockerode: typeof Docker | undefined;
const loadDockerode = (): typeof Docker =>
  (dockerode ??= createRequire(import.meta.url)("dockerode") as typeof Docker);

/** GET `path` on the Engine API socket; resolves with the parsed JSON (or text) of a 2xx reply. */
function engineGet(socketPath: string, path: string, timeoutMs?: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: "GET", headers: { host: "docker" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const err = new Error(`(HTTP code ${status}) ${text.slice(0, 200)}`) as Error & {
            statusCode: number;
          };
          err.statusCode = status;
          reject(err);
          return;
        }
        try {
          resolve(/json/.test(String(res.headers["content-type"])) ? JSON.parse(text) : text);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("error", reject);
    if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new Error("timed out")));
    req.end();
  });
}

const failed = (action: string, err: unknown) =>
  fail(
    "PAL_SANDBOX_BACKEND_FAILED",
    { backend: "docker", action, detail: err instanceof Error ? err.message.slice(0, 300) : String(err) },
    { cause: err },
  );

/** Docker Engine API backend (through dockerode; never the docker CLI). */
export class DockerBackend implements SandboxBackend {
  /** Backend name. */
  readonly name = "docker" as const;
  private client: Docker | undefined;
  private readonly home: string;
  private readonly socketPath: string;
  private readonly probeTimeoutMs: number;

  constructor(opts: DockerBackendOptions) {
    this.socketPath = opts.socketPath ?? defaultDockerSocket();
    this.home = homeId(opts.home);
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 2000;
  }

  /** The Engine API client (dockerode, loaded on first use). */
  get docker(): Docker {
    if (this.client === undefined) {
      const Dockerode = loadDockerode();
      this.client = new Dockerode({ socketPath: this.socketPath });
    }
    return this.client;
  }

  /** Pings the daemon. */
  async available(): Promise<Availability> {
    const fix = "install Docker (Debian: apt-get install docker.io) and start dockerd, or install bubblewrap";
    try {
      const ping = engineGet(this.socketPath, "/_ping", this.probeTimeoutMs);
      const timeout = new Promise<never>((_, rej) => {
        const t = setTimeout(() => rej(new Error("timed out")), this.probeTimeoutMs);
        t.unref?.();
      });
      await Promise.race([ping, timeout]);
      return { ok: true, reason: `dockerd answers on ${this.socketPath}`, fix: "" };
    } catch (err) {
      return { ok: false, reason: `no Docker engine on ${this.socketPath} (${(err as Error).message})`, fix };
    }
  }

  /** Creates and starts the container; runs setupCommand once if configured. */
  async create(scopeKey: string, policy: SandboxPolicy): Promise<Sandbox> {
    const id = newSandboxId(scopeKey);
    const mount = await prepareWorkspace(policy, id);
    const seccompJson = await this.seccomp(policy);
    const body = containerSpec(policy, {
      name: id,
      scopeKey,
      home: this.home,
      workspaceDir: mount.hostDir,
      workspaceReadOnly: mount.readOnly,
      now: Date.now(),
      ...(seccompJson === undefined ? {} : { seccompJson }),
    });
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(body);
      await container.start();
    } catch (err) {
      await this.remove(id).catch(() => {});
      await releaseWorkspace(mount);
      if ((err as { statusCode?: number }).statusCode === 404)
        throw fail("PAL_SANDBOX_BACKEND_FAILED", {
          backend: "docker",
          action: "create a container",
          detail: `image ${policy.image} is missing; run \`palisade sandbox build\``,
        });
      throw failed("create a container", err);
    }
    const sb = new DockerSandbox(this, container, id, scopeKey, mount, policy);
    if (policy.setupCommand) {
      const r = await sb.exec(["/bin/sh", "-c", policy.setupCommand], {
        timeoutMs: 300_000,
        maxOutputBytes: 65_536,
      });
      if (r.exitCode !== 0) {
        await sb.destroy();
        throw failed("run setupCommand", new Error(`exit ${r.exitCode}: ${r.stderr.slice(0, 200)}`));
      }
    }
    return sb;
  }

  private async seccomp(policy: SandboxPolicy): Promise<string | undefined> {
    return policy.seccompProfile ? readFile(policy.seccompProfile, "utf8") : undefined;
  }

  /** True when the image is present locally (no pull is ever attempted). */
  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  /** Containers of this install, running or not. */
  async listExisting(): Promise<SandboxInfo[]> {
    const filters = JSON.stringify({ label: [`${LABEL_SANDBOX}=1`, `${LABEL_HOME}=${this.home}`] });
    const list = (await engineGet(
      this.socketPath,
      `/containers/json?all=1&filters=${encodeURIComponent(filters)}`,
    ).catch((err: unknown) => {
      throw failed("list containers", err);
    })) as Docker.ContainerInfo[];
    return list.map((c) => ({
      id: (c.Names[0] ?? c.Id).replace(/^\//, ""),
      backend: "docker",
      scopeKey: c.Labels[LABEL_SCOPE] ?? "",
      createdAt: Number(c.Labels[LABEL_CREATED] ?? c.Created * 1000),
      state: c.State,
      image: c.Image,
    }));
  }

  /** Force-removes a container (and, for private workspaces, the caller removes the dir). */
  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      if ((err as { statusCode?: number }).statusCode === 409) return; // removal already in progress
      throw failed("remove a container", err);
    }
  }
}

/** A running sandbox container. */
class DockerSandbox implements Sandbox {
  readonly backend = "docker" as const;
  readonly workspaceDir: string;
  private destroyed = false;
  private restarting: Promise<void> | undefined;

  constructor(
    private readonly owner: DockerBackend,
    private readonly container: Docker.Container,
    readonly id: string,
    readonly scopeKey: string,
    private readonly mount: WorkspaceMount,
    private readonly policy: SandboxPolicy,
  ) {
    this.workspaceDir = mount.hostDir;
  }

  async exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    if (this.destroyed) throw fail("PAL_SANDBOX_DESTROYED", { id: this.id });
    if (this.restarting) await this.restarting;
    const user = `${this.policy.user.uid}:${this.policy.user.gid}`;
    try {
      return await dockerExec(this.owner.docker, this.container, user, argv, opts, () => this.killAll());
    } catch (err) {
      if (this.destroyed) throw fail("PAL_SANDBOX_DESTROYED", { id: this.id });
      throw failed("run a command", err);
    }
  }

  /** Kills every process by restarting the container (a fresh PID namespace, tmpfs cleared). */
  private killAll(): Promise<void> {
    this.restarting ??= (async () => {
      try {
        await this.container.kill({ signal: "SIGKILL" }).catch(() => {});
        await this.container.wait({ condition: "not-running" }).catch(() => {});
        if (!this.destroyed) await this.container.start();
      } finally {
        this.restarting = undefined;
      }
    })();
    return this.restarting;
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
    await this.owner.remove(this.id);
    await releaseWorkspace(this.mount);
  }
}
