/**
 * Last-use markers: one empty file per sandbox under `<stateDir>/sandboxes/.activity`, its mtime
 * the last exec. They let `palisade sandbox list|prune` (another process) see idle times.
 */
import { mkdir, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Throttle for touching a marker: at most once per this many ms per sandbox. Default 5 s. */
const TOUCH_EVERY_MS = 5_000;

/** Reads and writes last-use markers. */
export class ActivityMarks {
  private readonly last = new Map<string, number>();

  /** @param dir the marker dir, e.g. `<stateDir>/sandboxes/.activity` */
  constructor(readonly dir: string) {}

  /** Records a use of sandbox `id` at `now` (throttled). */
  async touch(id: string, now: number): Promise<void> {
    const prev = this.last.get(id);
    if (prev !== undefined && now - prev < TOUCH_EVERY_MS) return;
    this.last.set(id, now);
    const p = join(this.dir, id);
    const t = new Date(now);
    try {
      await utimes(p, t, t);
    } catch {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(p, "", { mode: 0o600 });
      await utimes(p, t, t);
    }
  }

  /** Last use of `id` in ms, or undefined when never recorded. */
  async lastUsed(id: string): Promise<number | undefined> {
    try {
      return (await stat(join(this.dir, id))).mtimeMs;
    } catch {
      return undefined;
    }
  }

  /** Forgets `id`. */
  async forget(id: string): Promise<void> {
    this.last.delete(id);
    await rm(join(this.dir, id), { force: true });
  }

  /** Ids with a marker. */
  async ids(): Promise<string[]> {
    return readdir(this.dir).catch(() => []);
  }
}
