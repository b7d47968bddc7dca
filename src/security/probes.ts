import { execFile } from "node:child_process";
import { request } from "node:http";
import type { HostProbes } from "./audit/types.js";

/** Where the Docker Engine listens unless DOCKER_HOST names another unix socket. */
export function dockerSocketPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const host = env.DOCKER_HOST;
  if (host?.startsWith("unix://")) return host.slice("unix://".length);
  return "/var/run/docker.sock";
}

/**
 * One GET to the Docker Engine API over its unix socket; resolves with the status code, or
 * undefined when nothing answers within `timeoutMs` (default 2000).
 */
export function dockerGet(path: string, opts: { socketPath?: string; timeoutMs?: number } = {}) {
  return new Promise<number | undefined>((resolve) => {
    const req = request(
      {
        socketPath: opts.socketPath ?? dockerSocketPath(),
        path,
        method: "GET",
        timeout: opts.timeoutMs ?? 2000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
        res.on("error", () => resolve(undefined));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/** True when the Docker Engine answers `/_ping` with 200. */
export async function dockerAvailable(socketPath?: string): Promise<boolean> {
  return (await dockerGet("/_ping", socketPath === undefined ? {} : { socketPath })) === 200;
}

/** True when the image exists locally (`GET /images/<name>/json` is 200). */
export async function dockerImagePresent(image: string, socketPath?: string): Promise<boolean> {
  const path = `/images/${encodeURIComponent(image)}/json`;
  return (await dockerGet(path, socketPath === undefined ? {} : { socketPath })) === 200;
}

/** The first line of `bwrap --version`, or undefined when bubblewrap is not installed or fails. */
export function bwrapVersion(bin = "bwrap"): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(bin, ["--version"], { timeout: 3000 }, (err, stdout) => {
      resolve(err ? undefined : stdout.trim().split("\n")[0] || "bwrap");
    });
  });
}

/** The real host probes. */
export const realProbes: HostProbes = {
  dockerAvailable: () => dockerAvailable(),
  bwrapAvailable: async () => (await bwrapVersion()) !== undefined,
};
