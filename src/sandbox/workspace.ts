/**
 * Host side of the workspace mount: the per-sandbox private dir, handing a workspace to the
 * sandbox user, and file reads/writes that never follow a symlink out of the mount.
 */
import { constants } from "node:fs";
import { lchown, lstat, mkdir, open, readdir, rm } from "node:fs/promises";
import { isAbsolute, join, normalize, sep } from "node:path";
import { fail } from "../core/errors.js";
import type { SandboxPolicy } from "./types.js";

/** Most entries chowned when handing a workspace to the sandbox user (bounded walk). */
const MAX_CHOWN_ENTRIES = 100_000;
/** Default cap of {@link readWorkspaceFile}: 10 MiB. */
export const DEFAULT_READ_CAP = 10 * 1024 * 1024;

/** The host dir mounted at /workspace and whether it is writable from inside. */
export interface WorkspaceMount {
  /** Host path. */
  readonly hostDir: string;
  /** True for ro (agent workspace mounted read-only). */
  readonly readOnly: boolean;
  /** True when the dir is private to the sandbox and removed with it. */
  readonly private: boolean;
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  let budget = MAX_CHOWN_ENTRIES;
  const walk = async (p: string): Promise<void> => {
    if (budget-- <= 0) return;
    await lchown(p, uid, gid);
    const st = await lstat(p);
    if (!st.isDirectory()) return;
    for (const name of await readdir(p)) await walk(join(p, name));
  };
  await walk(dir);
}

/**
 * Prepares the dir mounted at /workspace. none: a fresh private dir owned by the sandbox user
 * (mode 0700). ro/rw: the agent workspace; when this process is root and the workspace belongs
 * to another uid, it is handed to the sandbox user (root keeps full access) so the unprivileged
 * sandbox user can read it.
 */
export async function prepareWorkspace(policy: SandboxPolicy, sandboxId: string): Promise<WorkspaceMount> {
  const { uid, gid } = policy.user;
  const isRoot = process.getuid?.() === 0;
  if (policy.workspaceAccess === "none") {
    await mkdir(policy.workspaceRoot, { recursive: true, mode: 0o700 });
    const dir = join(policy.workspaceRoot, sandboxId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (isRoot) await lchown(dir, uid, gid);
    return { hostDir: dir, readOnly: false, private: true };
  }
  await mkdir(policy.agentWorkspace, { recursive: true, mode: 0o700 });
  const st = await lstat(policy.agentWorkspace);
  if (!st.isDirectory()) throw fail("PAL_SANDBOX_PATH_REFUSED", { path: policy.agentWorkspace });
  if (isRoot && st.uid !== uid) await chownTree(policy.agentWorkspace, uid, gid);
  return { hostDir: policy.agentWorkspace, readOnly: policy.workspaceAccess === "ro", private: false };
}

/** Removes a private workspace; never touches the agent workspace. */
export async function releaseWorkspace(mount: WorkspaceMount): Promise<void> {
  if (mount.private) await rm(mount.hostDir, { recursive: true, force: true });
}

/**
 * Resolves a path given relative to the workspace (or as /workspace/...) to a host path, refusing
 * `..`, other absolute paths and any symlink on the way (checked with lstat per component).
 */
export async function resolveInWorkspace(root: string, relPath: string): Promise<string> {
  let rel: string;
  if (relPath === "/workspace" || relPath.startsWith("/workspace/")) rel = relPath.slice("/workspace".length);
  else if (isAbsolute(relPath)) throw fail("PAL_SANDBOX_PATH_REFUSED", { path: relPath });
  else rel = relPath;
  rel = rel.replace(/^\/+/, "");
  const norm = normalize(rel);
  if (norm === "." || norm === "" || norm.split(sep).includes("..") || isAbsolute(norm))
    throw fail("PAL_SANDBOX_PATH_REFUSED", { path: relPath });
  let cur = root;
  const parts = norm.split(sep).filter((p) => p.length > 0);
  for (const [i, part] of parts.entries()) {
    cur = join(cur, part);
    try {
      const st = await lstat(cur);
      if (st.isSymbolicLink()) throw fail("PAL_SANDBOX_PATH_REFUSED", { path: relPath });
      if (i < parts.length - 1 && !st.isDirectory())
        throw fail("PAL_SANDBOX_PATH_REFUSED", { path: relPath });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") break;
      throw err;
    }
  }
  return join(root, norm);
}

/** Reads a workspace file without following symlinks; at most `maxBytes` (default 10 MiB). */
export async function readWorkspaceFile(
  root: string,
  relPath: string,
  maxBytes = DEFAULT_READ_CAP,
): Promise<Buffer> {
  const p = await resolveInWorkspace(root, relPath);
  const fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw fail("PAL_SANDBOX_PATH_REFUSED", { path: relPath });
    const len = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Writes a workspace file without following symlinks; parent dirs are created. */
export async function writeWorkspaceFile(
  mount: WorkspaceMount,
  relPath: string,
  data: string | Uint8Array,
  owner: { uid: number; gid: number },
): Promise<void> {
  if (mount.readOnly) throw fail("PAL_SANDBOX_READ_ONLY", { access: "ro" });
  const p = await resolveInWorkspace(mount.hostDir, relPath);
  const dirs = p
    .slice(mount.hostDir.length + 1)
    .split(sep)
    .slice(0, -1);
  let cur = mount.hostDir;
  for (const d of dirs) {
    cur = join(cur, d);
    try {
      await mkdir(cur, { mode: 0o700 });
      if (process.getuid?.() === 0) await lchown(cur, owner.uid, owner.gid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  await resolveInWorkspace(mount.hostDir, relPath);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
  const fh = await open(p, flags, 0o600);
  try {
    await fh.writeFile(data);
    if (process.getuid?.() === 0) await fh.chown(owner.uid, owner.gid);
  } finally {
    await fh.close();
  }
}
