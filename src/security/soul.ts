import { createHash } from "node:crypto";
import { type FSWatcher, lstatSync, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { fail } from "../core/errors.js";
import { appendAudit, createKv, type Store } from "../store/index.js";
import { agentWorkspaces, IDENTITY_FILES } from "./workspaces.js";

/** kv key of the baseline. */
export const SOUL_BASELINE_KEY = "security.soul.baseline";

const entrySchema = z.object({
  agentId: z.string(),
  path: z.string(),
  /** sha256 hex, or null when the file did not exist at baseline time. */
  sha256: z.string().nullable(),
});
const baselineSchema = z.object({ createdAt: z.number(), files: z.array(entrySchema).max(10_000) });

/** One identity file and its hash (null: missing; "not-a-file" hashes are refused as symlinks). */
export type SoulEntry = z.output<typeof entrySchema>;

/** A file that differs from the baseline. */
export interface SoulMismatch {
  readonly agentId: string;
  readonly path: string;
  readonly expected: string | null;
  readonly actual: string | null;
  /** changed, added (missing at baseline), removed, or not-a-file (replaced by a symlink/dir). */
  readonly kind: "changed" | "added" | "removed" | "not-a-file";
}

/** Outcome of {@link verifySoul}. */
export interface SoulVerifyResult {
  readonly ok: boolean;
  /** False when no baseline was recorded yet. */
  readonly baseline: boolean;
  readonly mismatches: readonly SoulMismatch[];
  readonly checked: number;
}

/** sha256 of a regular file; null when missing; "not-a-file" for symlinks and dirs. */
function hashFile(path: string): string | null | "not-a-file" {
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return "not-a-file";
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Current hashes of every identity file of every agent workspace. */
export function hashIdentityFiles(
  config: unknown,
  stateDir: string,
): Array<SoulEntry & { notFile?: boolean }> {
  return agentWorkspaces(config, stateDir).flatMap((ws) =>
    IDENTITY_FILES.map((name) => {
      const path = join(ws.dir, name);
      const h = hashFile(path);
      return h === "not-a-file"
        ? { agentId: ws.agentId, path, sha256: null, notFile: true }
        : { agentId: ws.agentId, path, sha256: h };
    }),
  );
}

/**
 * Records the current identity-file hashes as the baseline (replacing any) and writes a
 * `soul.baseline` audit event. Refuses a workspace where a file is a symlink or a directory.
 */
export function recordSoulBaseline(
  store: Store,
  config: unknown,
  stateDir: string,
  actor = "cli",
): SoulEntry[] {
  const current = hashIdentityFiles(config, stateDir);
  const bad = current.find((e) => e.notFile);
  if (bad)
    throw fail("PAL_USAGE", {
      detail: `${bad.path} is not a regular file; replace the link with the file itself`,
    });
  const files = current.map(({ agentId, path, sha256 }) => ({ agentId, path, sha256 }));
  createKv(store).set(SOUL_BASELINE_KEY, { createdAt: Date.now(), files });
  appendAudit(store, {
    type: "soul.baseline",
    actor,
    detail: {
      files: files.filter((f) => f.sha256 !== null).map((f) => ({ path: f.path, sha256: f.sha256 })),
    },
  });
  return files;
}

/** Compares the identity files with the recorded baseline. */
export function verifySoul(store: Store, config: unknown, stateDir: string): SoulVerifyResult {
  const baseline = createKv(store).get(SOUL_BASELINE_KEY, baselineSchema);
  const current = hashIdentityFiles(config, stateDir);
  if (!baseline) return { ok: false, baseline: false, mismatches: [], checked: current.length };
  const expected = new Map(baseline.files.map((f) => [f.path, f]));
  const mismatches: SoulMismatch[] = [];
  for (const c of current) {
    const e = expected.get(c.path);
    const want = e?.sha256 ?? null;
    if (c.notFile)
      mismatches.push({ agentId: c.agentId, path: c.path, expected: want, actual: null, kind: "not-a-file" });
    else if (want !== c.sha256)
      mismatches.push({
        agentId: c.agentId,
        path: c.path,
        expected: want,
        actual: c.sha256,
        kind: want === null ? "added" : c.sha256 === null ? "removed" : "changed",
      });
  }
  return { ok: mismatches.length === 0, baseline: true, mismatches, checked: current.length };
}

/** Options of {@link watchSoul}. */
export interface SoulWatchOptions {
  readonly store: Store;
  readonly config: unknown;
  readonly stateDir: string;
  /** Called with every result that has mismatches (after the audit event was written). */
  readonly onMismatch: (r: SoulVerifyResult) => void;
  /** Called when the files match again. */
  readonly onRestored?: () => void;
  /** Debounce for bursts of change events; default 200 ms. */
  readonly debounceMs?: number;
  /** Watch for changes (default true); false only checks once. */
  readonly watch?: boolean;
}

/** A running integrity watch. */
export interface SoulWatch {
  /** The latest result. */
  current(): SoulVerifyResult;
  /** True when `agentId`'s identity files match the baseline (or no baseline exists). */
  agentIntact(agentId: string): boolean;
  close(): void;
}

/**
 * Checks the identity files now and, with `watch`, again on every change in the workspace dirs.
 * Each check that finds a difference writes a critical `soul.mismatch` audit event (once per
 * distinct set of differences) and calls `onMismatch`. Without a baseline nothing is flagged.
 */
export function watchSoul(opts: SoulWatchOptions): SoulWatch {
  let last: SoulVerifyResult = verifySoul(opts.store, opts.config, opts.stateDir);
  let lastKey = "";
  const report = (r: SoulVerifyResult) => {
    const key = JSON.stringify(r.mismatches.map((m) => [m.path, m.actual]));
    if (!r.baseline || r.ok) {
      if (lastKey !== "" && r.ok) opts.onRestored?.();
      lastKey = "";
      return;
    }
    if (key === lastKey) return;
    lastKey = key;
    appendAudit(opts.store, {
      type: "soul.mismatch",
      actor: "gateway",
      severity: "critical",
      subject: r.mismatches[0]?.path,
      detail: { mismatches: r.mismatches },
    });
    opts.onMismatch(r);
  };
  report(last);
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const recheck = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        last = verifySoul(opts.store, opts.config, opts.stateDir);
        report(last);
      } catch {
        // The store closed or a file vanished mid-read; the next event checks again.
      }
    }, opts.debounceMs ?? 200);
    timer.unref();
  };
  if (opts.watch !== false)
    for (const ws of agentWorkspaces(opts.config, opts.stateDir)) {
      try {
        const w = watch(ws.dir, { persistent: false }, (_event, name) => {
          if (name === null || (IDENTITY_FILES as readonly string[]).includes(String(name))) recheck();
        });
        w.on("error", () => w.close());
        watchers.push(w);
      } catch {
        // A missing workspace has no identity files to change; verify reports them as removed.
      }
    }
  return {
    current: () => last,
    agentIntact: (agentId) => !last.baseline || last.mismatches.every((m) => m.agentId !== agentId),
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
