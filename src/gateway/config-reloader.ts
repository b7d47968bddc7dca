/**
 * Hot reload: watches the config file's directory (so editors that replace the file by rename are
 * seen), debounces, validates, and applies per `gateway.reload.mode`:
 * - `hybrid` (default): hot-class changes in place; restart-class ones restart the gateway's
 *   subsystems in-process (rebind);
 * - `hot`: hot-class in place; restart-class reported as pending in `status`;
 * - `restart`: any change restarts the subsystems in-process;
 * - `off`: nothing is applied; every change is pending.
 * An invalid file keeps the last good config, logs every problem and emits `config.invalid`.
 */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logger } from "pino";
import {
  configHash,
  type PalisadeConfig,
  planReload,
  type ReloadPlan,
  readConfigFile,
  validateConfigText,
} from "../config/index.js";

/** Options of {@link createConfigReloader}. */
export interface ConfigReloaderOptions {
  readonly file: string;
  /** Environment for `${VAR}` (process env plus `.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The config the gateway started with, and the hash of the file it came from. */
  readonly initial: { readonly config: PalisadeConfig; readonly hash: string };
  readonly logger: Logger;
  /** Applies hot-class changes in place (logging level, policies read on use, ...). */
  readonly applyHot: (config: PalisadeConfig, plan: ReloadPlan) => void;
  /** Restarts the gateway's subsystems in-process with `config` (rebind, new auth, ...). */
  readonly restart: (config: PalisadeConfig) => Promise<void>;
  /** Broadcasts `config.reloaded` / `config.invalid`. */
  readonly emit: (event: string, payload: unknown) => void;
  /** Watch the file (default true; tests may drive {@link ConfigReloader.reload} directly). */
  readonly watch?: boolean;
  readonly now?: () => number;
}

/** What one reload did. */
export type ReloadOutcome =
  | { readonly status: "unchanged"; readonly hash: string }
  | {
      readonly status: "invalid";
      readonly hash: string;
      readonly problems: readonly { path: string; message: string; text: string }[];
    }
  | {
      readonly status: "applied";
      readonly mode: string;
      readonly hash: string;
      readonly hot: string[];
      readonly restart: string[];
      readonly restarting: boolean;
      readonly pending: string[];
    };

/** A running reloader. */
export interface ConfigReloader {
  /** The last valid config read from the file. */
  current(): PalisadeConfig;
  /** Reads the file now and applies it per mode. Serialized with watcher-triggered reloads. */
  reload(): Promise<ReloadOutcome>;
  /** Resolves once queued reloads and restarts have finished. */
  idle(): Promise<void>;
  /** Reload state for `status`: mode, pending paths, last error. */
  status(): Record<string, unknown>;
  /** Stops watching. */
  close(): void;
}

/** Starts a reloader (and its watcher unless `watch: false`). */
export function createConfigReloader(opts: ConfigReloaderOptions): ConfigReloader {
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ module: "config-reload" });
  let fileConfig = opts.initial.config;
  let applied = opts.initial.config;
  let started = opts.initial.config;
  let lastHash = opts.initial.hash;
  let lastReloadAt: number | undefined;
  let lastError: string | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let closed = false;

  const mode = () => fileConfig.gateway.reload?.mode ?? "hybrid";
  const debounceMs = () => fileConfig.gateway.reload?.debounceMs ?? 300;

  const queue = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  };

  const restartWith = (config: PalisadeConfig) =>
    void queue(async () => {
      try {
        await opts.restart(config);
        started = config;
      } catch (err) {
        lastError = `restart failed: ${(err as Error).message}`;
        log.error(
          { err },
          "gateway restart after a config change failed; the previous settings stay in effect",
        );
      }
    });

  const once = async (): Promise<ReloadOutcome> => {
    const bytes = await readConfigFile(opts.file);
    const text = bytes ? bytes.toString("utf8") : "";
    const hash = configHash(bytes ?? "");
    if (hash === lastHash) return { status: "unchanged", hash };
    lastHash = hash;
    const checked = validateConfigText(text, opts.file, opts.env);
    if (!checked.ok) {
      const problems = checked.problems.map((p) => ({ path: p.path, message: p.message, text: p.text }));
      lastError = `config ${opts.file} is invalid (${problems.length} problem(s)); the last good config stays in effect`;
      for (const p of problems)
        log.warn({ file: opts.file, path: p.path }, `config reload refused: ${p.text}`);
      log.warn({ file: opts.file, count: problems.length }, lastError);
      opts.emit("config.invalid", { path: opts.file, hash, problems, ts: now() });
      return { status: "invalid", hash, problems };
    }
    fileConfig = checked.config;
    lastError = undefined;
    lastReloadAt = now();
    const m = mode();
    const hotPlan = planReload(applied, fileConfig);
    const restartPaths = planReload(started, fileConfig).restart;
    let restarting = false;
    if (m !== "off") {
      if (hotPlan.hot.length > 0) opts.applyHot(fileConfig, hotPlan);
      applied = fileConfig;
      const wantRestart =
        m === "restart"
          ? hotPlan.changed.length > 0 || restartPaths.length > 0
          : m === "hybrid" && restartPaths.length > 0;
      if (wantRestart) {
        restarting = true;
        restartWith(fileConfig);
      }
    }
    const pending = restarting ? [] : pendingPaths();
    const outcome = {
      status: "applied" as const,
      mode: m,
      hash,
      hot: hotPlan.hot,
      restart: restartPaths,
      restarting,
      pending,
    };
    log.info({ mode: m, hot: hotPlan.hot, restart: restartPaths, restarting, pending }, "config reloaded");
    opts.emit("config.reloaded", { path: opts.file, ...outcome, ts: now() });
    return outcome;
  };

  const pendingPaths = () =>
    [
      ...new Set([...planReload(applied, fileConfig).changed, ...planReload(started, fileConfig).restart]),
    ].sort();

  const reload = () => queue(once);

  if (opts.watch !== false) {
    const name = basename(opts.file);
    try {
      watcher = watch(dirname(opts.file), { persistent: false }, (_event, filename) => {
        if (closed || (filename !== null && filename !== name)) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          reload().catch((err: unknown) => log.error({ err }, "config reload failed"));
        }, debounceMs());
        timer.unref();
      });
      watcher.on("error", (err) => log.warn({ err: err.message }, "config watcher stopped"));
    } catch (err) {
      log.warn(
        { err: (err as Error).message, file: opts.file },
        "cannot watch the config file; edits need a restart",
      );
    }
  }

  return {
    current: () => fileConfig,
    reload,
    idle: async () => {
      for (;;) {
        const c = chain;
        await c;
        if (c === chain) return;
      }
    },
    status: () => ({
      reload: {
        mode: mode(),
        debounceMs: debounceMs(),
        configHash: lastHash,
        ...(lastReloadAt !== undefined ? { lastReloadAt } : {}),
        pendingRestart: planReload(started, fileConfig).restart,
        pending: pendingPaths(),
        ...(lastError !== undefined ? { lastError } : {}),
      },
    }),
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
