import { chmodSync, closeSync, constants, fstatSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ensurePrivateDir } from "../core/paths.js";

/** Files SQLite creates next to the database; they get the database file's mode. */
export const COMPANION_SUFFIXES = ["-wal", "-shm", "-journal"] as const;

/**
 * Makes `file` exist as a regular file with mode 0600 in a 0700 parent, before SQLite opens
 * it. SQLite creates `-wal`/`-shm` with the mode of the database file (checked in the tests),
 * so a 0600 database keeps its companions private; companions left behind with a looser mode by
 * an older run are tightened too.
 */
export function preparePrivateFile(file: string): void {
  ensurePrivateDir(dirname(file));
  const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error("it exists and is not a regular file");
    if ((st.mode & 0o077) !== 0) chmodSync(file, 0o600);
  } finally {
    closeSync(fd);
  }
  for (const suffix of COMPANION_SUFFIXES) {
    const companion = file + suffix;
    const st = statSync(companion, { throwIfNoEntry: false });
    if (st?.isFile() && (st.mode & 0o077) !== 0) chmodSync(companion, 0o600);
  }
}
