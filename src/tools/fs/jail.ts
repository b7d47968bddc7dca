/**
 * The filesystem jail of the fs tools. A path from the model is checked lexically (no NUL, no
 * `..`, absolute only inside the root or the sandbox mount), then opened by an openat-style walk:
 * every component is opened relative to the directory fd before it (through
 * `/proc/self/fd/<fd>/<name>`) with O_NOFOLLOW, so no symlink is ever followed and a component
 * swapped for a symlink during the call makes the walk fail instead of leaving the root. The
 * opened fd is checked once more through its /proc link. Writes go to a temp file created with
 * O_EXCL in the same directory fd and are renamed over the target, so a hard link or a swapped
 * file outside the root is never truncated. Linux only (like the sandbox backends).
 */
import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { type FileHandle, mkdir, open, readlink, realpath, rename, unlink } from "node:fs/promises";
import { fail } from "../../core/errors.js";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_WRONLY, O_CREAT, O_EXCL } = constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** Longest accepted path, characters. */
export const MAX_PATH_CHARS = 4096;
/** Deepest accepted path, components. */
export const MAX_PATH_DEPTH = 64;

/** A workspace root the fs tools are confined to. */
export interface Jail {
  /** Host directory (realpath taken once, when the jail is made). */
  readonly root: string;
  /** Absolute prefix the model may use for the root, e.g. the sandbox mount `/workspace`. */
  readonly mountPrefix?: string | undefined;
  /** Refuse writes (read-only sandbox workspace). */
  readonly readOnly: boolean;
  /**
   * Owner given to created files and dirs (a sandbox workspace written by a root gateway, so the
   * unprivileged sandbox user can change what the fs tools wrote). Default: left as created.
   */
  readonly owner?: { readonly uid: number; readonly gid: number } | undefined;
}

/** Makes a jail on `root` (which must exist; it is created when missing). */
export async function makeJail(
  root: string,
  opts: { mountPrefix?: string; readOnly?: boolean; owner?: Jail["owner"] } = {},
): Promise<Jail> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  return Object.freeze({
    root: await realpath(root),
    mountPrefix: opts.mountPrefix,
    readOnly: opts.readOnly ?? false,
    owner: opts.owner,
  });
}

const refuse = (path: string, reason: string) =>
  fail("PAL_TOOL_PATH_REFUSED", { path: JSON.stringify(path.slice(0, 200)), reason });

/**
 * The components of `input` relative to the jail root, or a refusal: NUL bytes, `..`, absolute
 * paths outside the root (or mount prefix), and over-long paths are refused before any I/O.
 */
export function jailComponents(jail: Jail, input: string): string[] {
  if (input.includes("\0")) throw refuse(input, "it contains a NUL byte");
  if (input.length > MAX_PATH_CHARS) throw refuse(input, `it is longer than ${MAX_PATH_CHARS} characters`);
  let rel = input;
  if (rel.startsWith("/")) {
    const prefixes = [jail.root, jail.mountPrefix].filter((p): p is string => p !== undefined);
    const hit = prefixes.find((p) => rel === p || rel.startsWith(`${p}/`));
    if (hit === undefined) throw refuse(input, "absolute paths outside the workspace are not allowed");
    rel = rel.slice(hit.length);
  }
  const parts = rel.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw refuse(input, '".." is not allowed');
  if (parts.length > MAX_PATH_DEPTH) throw refuse(input, `it is deeper than ${MAX_PATH_DEPTH} levels`);
  return parts;
}

const via = (dir: FileHandle, name: string) => `/proc/self/fd/${dir.fd}/${name}`;

function walkError(input: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ELOOP" || code === "ENOTDIR" || code === "EMLINK")
    return refuse(input, "a symlink or non-directory is in the way (symlinks are never followed)");
  if (code === "ENOENT")
    return fail("PAL_TOOL_FILE_NOT_FOUND", { path: JSON.stringify(input.slice(0, 200)) });
  if (code === "EACCES" || code === "EPERM") return refuse(input, "permission denied");
  return err as Error;
}

/** Verifies through /proc that an open fd is inside the root (defence in depth). */
async function assertInside(jail: Jail, fh: FileHandle, input: string): Promise<void> {
  const target = await readlink(`/proc/self/fd/${fh.fd}`);
  if (target !== jail.root && !target.startsWith(`${jail.root}/`))
    throw refuse(input, "it resolves outside the workspace");
}

/** Opens the directory holding the last component (creating parents when `create`). */
async function openParent(
  jail: Jail,
  parts: readonly string[],
  input: string,
  create: boolean,
): Promise<FileHandle> {
  let dir = await open(jail.root, DIR_FLAGS);
  try {
    for (const name of parts.slice(0, -1)) {
      let next: FileHandle;
      try {
        next = await open(via(dir, name), DIR_FLAGS);
      } catch (err) {
        if (!create || (err as NodeJS.ErrnoException).code !== "ENOENT") throw walkError(input, err);
        await mkdir(via(dir, name), { mode: 0o755 }).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== "EEXIST") throw walkError(input, e);
        });
        next = await open(via(dir, name), DIR_FLAGS).catch((e) => {
          throw walkError(input, e);
        });
        if (jail.owner !== undefined) await next.chown(jail.owner.uid, jail.owner.gid);
      }
      await dir.close();
      dir = next;
    }
    await assertInside(jail, dir, input);
    return dir;
  } catch (err) {
    await dir.close().catch(() => {});
    throw err;
  }
}

/** An open regular file inside the jail and its stat. Close it when done. */
export interface JailedFile {
  readonly handle: FileHandle;
  readonly stat: Stats;
}

/**
 * Opens an existing regular file for reading. Symlinks, FIFOs, devices, directories and files
 * with several hard links are refused.
 */
export async function openForRead(jail: Jail, input: string): Promise<JailedFile> {
  const parts = jailComponents(jail, input);
  if (parts.length === 0) throw refuse(input, "it is the workspace directory, not a file");
  const dir = await openParent(jail, parts, input, false);
  let fh: FileHandle | undefined;
  try {
    fh = await open(via(dir, parts.at(-1) as string), O_RDONLY | O_NOFOLLOW | O_NONBLOCK).catch((e) => {
      throw walkError(input, e);
    });
    const stat = await fh.stat();
    if (!stat.isFile()) throw refuse(input, "it is not a regular file");
    if (stat.nlink > 1) throw refuse(input, "it has several hard links");
    await assertInside(jail, fh, input);
    return { handle: fh, stat };
  } catch (err) {
    await fh?.close().catch(() => {});
    throw err;
  } finally {
    await dir.close().catch(() => {});
  }
}

/** Reads a file of at most `maxBytes` (larger files: PAL_TOOL_TOO_LARGE unless `truncate`). */
export async function readJailed(
  jail: Jail,
  input: string,
  maxBytes: number,
  opts: { truncate?: boolean } = {},
): Promise<{ data: Buffer; size: number; truncated: boolean }> {
  const { handle, stat } = await openForRead(jail, input);
  try {
    if (stat.size > maxBytes && !opts.truncate)
      throw fail("PAL_TOOL_TOO_LARGE", {
        what: input.slice(0, 200),
        size: stat.size,
        limit: maxBytes,
        key: "tools.fs.maxReadBytes",
      });
    const want = Math.min(stat.size, maxBytes);
    const buf = Buffer.alloc(want);
    let off = 0;
    while (off < want) {
      const { bytesRead } = await handle.read(buf, off, want - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { data: buf.subarray(0, off), size: stat.size, truncated: stat.size > off };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file atomically inside the jail: parents are created (never through symlinks), the
 * data goes to an O_EXCL temp file in the same directory fd, which is then renamed over the
 * target (rename replaces a symlink itself, never what it points to).
 */
export async function writeJailed(
  jail: Jail,
  input: string,
  data: string | Uint8Array,
  maxBytes: number,
): Promise<number> {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
  if (jail.readOnly) throw refuse(input, "the workspace is read-only here");
  if (bytes.length > maxBytes)
    throw fail("PAL_TOOL_TOO_LARGE", {
      what: "content",
      size: bytes.length,
      limit: maxBytes,
      key: "tools.fs.maxWriteBytes",
    });
  const parts = jailComponents(jail, input);
  if (parts.length === 0) throw refuse(input, "it is the workspace directory, not a file");
  const dir = await openParent(jail, parts, input, true);
  const name = parts.at(-1) as string;
  const tmp = `.${name.slice(0, 100)}.palisade-${randomBytes(6).toString("hex")}.tmp`;
  try {
    const fh = await open(via(dir, tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644).catch((e) => {
      throw walkError(input, e);
    });
    try {
      if (jail.owner !== undefined) await fh.chown(jail.owner.uid, jail.owner.gid);
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(via(dir, tmp), via(dir, name)).catch(async (e: NodeJS.ErrnoException) => {
      await unlink(via(dir, tmp)).catch(() => {});
      if (e.code === "EISDIR" || e.code === "ENOTEMPTY") throw refuse(input, "it is a directory");
      throw walkError(input, e);
    });
    return bytes.length;
  } finally {
    await dir.close().catch(() => {});
  }
}

/** Removes a file inside the jail (a symlink is removed itself, never what it points to). */
export async function unlinkJailed(jail: Jail, input: string): Promise<void> {
  if (jail.readOnly) throw refuse(input, "the workspace is read-only here");
  const parts = jailComponents(jail, input);
  if (parts.length === 0) throw refuse(input, "it is the workspace directory, not a file");
  const dir = await openParent(jail, parts, input, false);
  try {
    await unlink(via(dir, parts.at(-1) as string)).catch((e) => {
      throw walkError(input, e);
    });
  } finally {
    await dir.close().catch(() => {});
  }
}
