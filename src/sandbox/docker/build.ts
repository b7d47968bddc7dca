/**
 * `palisade sandbox build`: makes the default sandbox image. With registry access it builds a
 * Dockerfile on debian:bookworm-slim through the Engine API build endpoint; offline it builds a
 * Debian root filesystem with debootstrap from a Debian mirror and imports it.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { fail } from "../../core/errors.js";
import { SANDBOX_DEFAULTS } from "../policy.js";

/** Options of {@link buildSandboxImage}. */
export interface BuildOptions {
  /** Engine API client. */
  readonly docker: Docker;
  /** Image tag; default palisade-sandbox:bookworm-slim. */
  readonly image?: string;
  /** dockerfile, debootstrap, or auto (default: dockerfile when the base image can be pulled). */
  readonly method?: "auto" | "dockerfile" | "debootstrap";
  /** Debian mirror for debootstrap; default http://deb.debian.org/debian. */
  readonly mirror?: string;
  /** Extra Debian packages; default procps, python3-minimal, jq, ca-certificates. */
  readonly packages?: readonly string[];
  /** Progress lines. */
  readonly onProgress?: (line: string) => void;
  /** How long the base image pull may take before falling back to debootstrap; default 20 s. */
  readonly pullTimeoutMs?: number;
}

const BASE = "debian:bookworm-slim";
const DEFAULT_PACKAGES = ["procps", "python3-minimal", "jq", "ca-certificates"];
const CHANGES = [
  'CMD ["sleep","2147483647"]',
  "WORKDIR /workspace",
  "ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8",
  "USER 1000:1000",
];

function dockerfile(packages: readonly string[]): string {
  return [
    `FROM ${BASE}`,
    `RUN apt-get update && apt-get install -y --no-install-recommends ${packages.join(" ")} && rm -rf /var/lib/apt/lists/*`,
    "RUN groupadd -g 1000 sandbox && useradd -u 1000 -g 1000 -d /workspace -M -s /bin/bash sandbox && mkdir -p /workspace && chown 1000:1000 /workspace",
    ...CHANGES,
    "",
  ].join("\n");
}

function follow(docker: Docker, stream: Readable, say: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: Array<{ error?: string }>) => {
        const bad = err ?? out.find((o) => o.error);
        if (bad) reject(bad instanceof Error ? bad : new Error(String(bad.error)));
        else resolve();
      },
      (ev: { stream?: string; status?: string; progress?: string }) => {
        const line = (ev.stream ?? ev.status ?? "").trim();
        if (line) say(line);
      },
    );
  });
}

async function canPull(docker: Docker, timeoutMs: number, say: (l: string) => void): Promise<boolean> {
  try {
    await docker.getImage(BASE).inspect();
    return true;
  } catch {
    // not local: try the registry
  }
  say(`pulling ${BASE}`);
  const pull = (async () => follow(docker, (await docker.pull(BASE)) as Readable, say))();
  const timer = new Promise<never>((_, rej) =>
    setTimeout(() => rej(new Error("pull timed out")), timeoutMs).unref(),
  );
  try {
    await Promise.race([pull, timer]);
    return true;
  } catch (err) {
    say(`cannot pull ${BASE} (${(err as Error).message}); building offline with debootstrap`);
    return false;
  }
}

function run(cmd: string, args: string[], say: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const lines = (b: Buffer) => {
      for (const l of b.toString().split("\n")) if (l.trim()) say(l.trim());
    };
    p.stdout.on("data", lines);
    p.stderr.on("data", lines);
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

async function viaDebootstrap(o: BuildOptions, image: string, say: (l: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "palisade-rootfs-"));
  try {
    const packages = o.packages ?? DEFAULT_PACKAGES;
    const mirror = o.mirror ?? "http://deb.debian.org/debian";
    say(`debootstrap --variant=minbase bookworm (${packages.join(", ")}) from ${mirror}`);
    await run(
      "debootstrap",
      ["--variant=minbase", `--include=${packages.join(",")}`, "bookworm", dir, mirror],
      say,
    );
    await writeFile(
      join(dir, "etc/passwd"),
      "root:x:0:0:root:/root:/bin/bash\nsandbox:x:1000:1000::/workspace:/bin/bash\n",
      { flag: "a" },
    );
    await writeFile(join(dir, "etc/group"), "sandbox:x:1000:\n", { flag: "a" });
    await mkdir(join(dir, "workspace"), { recursive: true });
    await rm(join(dir, "var/cache/apt/archives"), { recursive: true, force: true });
    say(`importing ${image}`);
    const tar = spawn("tar", ["--numeric-owner", "-C", dir, "-c", "."], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [repo = image, tag = "latest"] = image.split(/:(?=[^/:]+$)/);
    const stream = (await o.docker.importImage(tar.stdout, { repo, tag, changes: CHANGES })) as Readable;
    await follow(o.docker, stream, say);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds the sandbox image; returns the method used. */
export async function buildSandboxImage(o: BuildOptions): Promise<"dockerfile" | "debootstrap"> {
  const image = o.image ?? SANDBOX_DEFAULTS.image;
  const say = o.onProgress ?? (() => {});
  try {
    let method = o.method ?? "auto";
    if (method === "auto")
      method = (await canPull(o.docker, o.pullTimeoutMs ?? 20_000, say)) ? "dockerfile" : "debootstrap";
    if (method === "debootstrap") {
      await viaDebootstrap(o, image, say);
      return "debootstrap";
    }
    const dir = await mkdtemp(join(tmpdir(), "palisade-build-"));
    try {
      await writeFile(join(dir, "Dockerfile"), dockerfile(o.packages ?? DEFAULT_PACKAGES));
      const stream = (await o.docker.buildImage(
        { context: dir, src: ["Dockerfile"] },
        { t: image, rm: true },
      )) as Readable;
      await follow(o.docker, stream, say);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return "dockerfile";
  } catch (err) {
    throw fail(
      "PAL_SANDBOX_BUILD_FAILED",
      { image, detail: (err as Error).message.slice(0, 300) },
      { cause: err },
    );
  }
}
