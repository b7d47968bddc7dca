import { chmodSync, closeSync, constants, fstatSync, openSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import pino from "pino";
import { fail } from "../core/errors.js";
import { ensurePrivateDir } from "../core/paths.js";

/** Size-based rotation of the log file. */
export interface RotateOptions {
  /** Rotate before a write would make the file larger than this; default 10 MiB. */
  readonly maxBytes?: number;
  /** Files kept including the active one (`palisade.log`, `.1` ... `.N-1`); default 5. */
  readonly maxFiles?: number;
}

/** Default rotation: 10 MiB x 5 files, so logs never take more than about 50 MiB. */
export const DEFAULT_ROTATE = { maxBytes: 10 * 1024 * 1024, maxFiles: 5 } as const;

/** A synchronous, size-rotated JSON-lines file; what pino writes to. */
export interface RotatingFile {
  /** Path of the active file. */
  readonly file: string;
  /** Appends one line (rotating first when it would not fit). */
  write(line: string): boolean;
  /** Flushes buffered bytes to the OS. */
  flushSync(): void;
  /** Closes the file. */
  end(): void;
}

/**
 * Opens `file` for appending with mode 0600 in a 0700 dir and rotates it by size.
 *
 * Built on pino's own `pino.destination` (sonic-boom) in sync mode rather than pino-roll: no
 * worker thread (pino-roll runs in a thread-stream worker, which costs startup time and memory
 * for the CLI and the gateway), lines are on disk when the call returns (nothing lost in a
 * crash), and rotation is a rename chain plus `reopen()` done between two writes, so no line is
 * ever split across files. Fails with PAL_LOG_FILE when the file cannot be opened.
 */
export function createRotatingFile(file: string, opts: RotateOptions = {}): RotatingFile {
  const maxBytes = opts.maxBytes ?? DEFAULT_ROTATE.maxBytes;
  const maxFiles = opts.maxFiles ?? DEFAULT_ROTATE.maxFiles;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1024) {
    throw fail("PAL_LOG_FILE", {
      file,
      detail: `rotate.maxBytes must be an integer >= 1024, got ${maxBytes}`,
    });
  }
  if (!Number.isSafeInteger(maxFiles) || maxFiles < 1 || maxFiles > 100) {
    throw fail("PAL_LOG_FILE", { file, detail: `rotate.maxFiles must be 1..100, got ${maxFiles}` });
  }
  let size: number;
  let dest: ReturnType<typeof pino.destination>;
  try {
    ensurePrivateDir(dirname(file));
    size = preparePrivateFile(file);
    dest = pino.destination({ dest: file, sync: true, append: true, mode: 0o600 });
  } catch (err) {
    throw fail("PAL_LOG_FILE", { file, detail: (err as Error).message }, { cause: err });
  }

  const rotate = (): void => {
    dest.flushSync();
    const name = (i: number) => (i === 0 ? file : `${file}.${i}`);
    rmSync(name(maxFiles - 1), { force: true });
    for (let i = maxFiles - 2; i >= 0; i--) {
      try {
        renameSync(name(i), name(i + 1));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    dest.reopen();
  };

  return {
    file,
    write(line) {
      const len = Buffer.byteLength(line);
      if (size > 0 && size + len > maxBytes) {
        try {
          rotate();
          size = 0;
        } catch {
          // Keep appending to the current file rather than lose lines; try again one
          // rotation's worth of bytes later.
          size = 0;
        }
      }
      size += len;
      return dest.write(line);
    },
    flushSync: () => dest.flushSync(),
    end: () => dest.end(),
  };
}

/** Creates the file 0600 if missing, tightens a looser one, and returns its size. */
function preparePrivateFile(file: string): number {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o600);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error("it is not a regular file");
    if ((st.mode & 0o077) !== 0) chmodSync(file, 0o600);
    return st.size;
  } finally {
    closeSync(fd);
  }
}
