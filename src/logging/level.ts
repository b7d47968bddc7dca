import pino, { type Logger } from "pino";
import type { LogLevel } from "./logger.js";

interface Targets {
  readonly console: unknown;
  readonly file: unknown;
}

const targets = new WeakMap<object, Targets>();

/** Remembers which multistream entries are the console and the file (called by createLogger). */
export function registerLevelTargets(logger: Logger, t: Targets): void {
  targets.set(logger, t);
}

interface StreamEntry {
  stream: unknown;
  level: number;
}
interface Multi {
  streams: StreamEntry[];
  minLevel: number;
}

const value = (level: LogLevel): number =>
  level === "silent" ? Number.POSITIVE_INFINITY : (pino.levels.values[level] ?? 30);

/**
 * Changes a running logger's levels in place (hot reload of `logging.level` /
 * `logging.consoleLevel`): the file and console streams' thresholds and the logger's own level,
 * which children created without their own level follow. Streams that were not opened at start
 * (a level of "silent" then) stay closed; that change needs a restart.
 */
export function setLogLevels(
  logger: Logger,
  levels: { level: LogLevel; consoleLevel?: LogLevel | undefined },
): void {
  const t = targets.get(logger);
  const multi = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as Multi | undefined;
  if (t === undefined || multi === undefined || !Array.isArray(multi.streams)) {
    logger.level = levels.level;
    return;
  }
  for (const entry of multi.streams) {
    if (entry.stream === t.file) entry.level = value(levels.level);
    else if (entry.stream === t.console) entry.level = value(levels.consoleLevel ?? levels.level);
  }
  multi.streams.sort((a, b) => a.level - b.level);
  const lowest = multi.streams[0]?.level ?? Number.POSITIVE_INFINITY;
  multi.minLevel = lowest;
  const name = Object.entries(pino.levels.values).find(([, v]) => v === lowest)?.[0];
  logger.level = name ?? "silent";
}
