import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, realpathSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fail } from "../core/errors.js";
import { ensurePrivateDir } from "../core/paths.js";

/** sha256 hex of the config file bytes: the version token for optimistic concurrency. */
export function configHash(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Options for {@link writeConfigFileAtomic}. */
export interface WriteOptions {
  /**
   * Hash of the file the edit was based on ({@link configHash} of "" for a missing file). When
   * given and the file changed since, nothing is written and PAL_CONFIG_CONFLICT is thrown.
   */
  readonly baseHash?: string;
}

async function currentHash(file: string): Promise<string> {
  try {
    const fh = await open(file, "r");
    try {
      return configHash(await fh.readFile());
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return configHash("");
    throw err;
  }
}

/**
 * Writes the config atomically: a 0600 temp file in the same directory, fsync, rename over the
 * target, fsync the directory. A reader sees the old or the new file, never a torn one. A
 * missing directory is created 0700. A symlinked config is written through to its target.
 */
export async function writeConfigFileAtomic(
  file: string,
  text: string,
  opts: WriteOptions = {},
): Promise<void> {
  let target = file;
  let tmp: string | undefined;
  try {
    if (existsSync(file) && lstatSync(file).isSymbolicLink()) target = realpathSync(file);
    const dir = dirname(target);
    if (!existsSync(dir)) ensurePrivateDir(dir);
    if (opts.baseHash !== undefined) {
      const now = await currentHash(target);
      if (now !== opts.baseHash)
        throw fail("PAL_CONFIG_CONFLICT", {
          baseHash: opts.baseHash.slice(0, 12),
          currentHash: now.slice(0, 12),
        });
    }
    tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const fh = await open(tmp, "wx", 0o600);
    try {
      await fh.writeFile(text, "utf8");
      await fh.chmod(0o600);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    tmp = undefined;
    await syncDir(dir);
  } catch (err) {
    if (tmp) await unlink(tmp).catch(() => {});
    if ((err as { code?: string }).code?.startsWith("PAL_")) throw err;
    throw fail("PAL_CONFIG_WRITE_FAILED", { file, detail: (err as Error).message }, { cause: err });
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // some filesystems refuse fsync on a directory; the rename itself is still atomic
  }
}
