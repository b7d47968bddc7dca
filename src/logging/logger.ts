import { createRequire } from "node:module";
import pino, { type DestinationStream, type Logger, type StreamEntry } from "pino";
import { registerLevelTargets } from "./level.js";
import { createRedactor, type RedactOptions } from "./redact.js";
import { createRotatingFile, type RotateOptions } from "./rotating-file.js";

/** pino's levels plus "silent". */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Where console lines go: anything with `write`; `isTTY` decides pretty output in "auto" mode. */
export interface LogSink {
  write(line: string): unknown;
  readonly isTTY?: boolean;
}

/** Options for {@link createLogger}; every field is optional. */
export interface LoggerOptions {
  /** Minimum level written to the file (`logging.level`); default "info". */
  readonly level?: LogLevel;
  /** Minimum level printed on the console (`logging.consoleLevel`); default `level`. */
  readonly consoleLevel?: LogLevel;
  /**
   * JSON-lines log file; default none. The gateway passes `<stateDir>/logs/palisade.log`.
   * Created 0600 in a 0700 dir and rotated by size (see `rotate`).
   */
  readonly file?: string;
  /** Rotation of `file`; default 10 MiB x 5 files. */
  readonly rotate?: RotateOptions;
  /** Console output: true (default) writes to stdout, false writes none, or a sink of your own. */
  readonly console?: boolean | LogSink;
  /**
   * Human-readable console lines via pino-pretty, loaded only when used. "auto" (default) is
   * pretty only when the console is a TTY; true forces it; false keeps JSON. The file is always JSON.
   */
  readonly pretty?: boolean | "auto";
  /**
   * Redaction, on by default: built-in patterns (API keys, Bearer and Authorization headers,
   * bot tokens, PEM keys, ...), `secrets` by value and user `patterns`. It runs on each
   * serialized line, so messages, fields and error stacks are all covered.
   */
  readonly redact?: RedactOptions;
  /** Fields on every line; default `{ pid }` (no hostname). */
  readonly base?: Record<string, unknown>;
  /** Logger name (`name` field); default none. */
  readonly name?: string;
}

const LEVEL_ORDER: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/**
 * Creates the process logger. Bad user redaction patterns never throw: each is logged once as a
 * warning naming `logging.redactPatterns[i]`. An unusable log file throws PAL_LOG_FILE.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? "info";
  const consoleLevel = opts.consoleLevel ?? level;
  const redactor = createRedactor(opts.redact ?? {});
  const streams: StreamEntry[] = [];
  let consoleStream: unknown;
  let fileStream: unknown;

  const consoleOpt = opts.console ?? true;
  if (consoleOpt !== false && consoleLevel !== "silent") {
    const sink: LogSink = consoleOpt === true ? pino.destination({ dest: 1, sync: true }) : consoleOpt;
    const isTTY = consoleOpt === true ? process.stdout.isTTY === true : sink.isTTY === true;
    const pretty = opts.pretty === "auto" || opts.pretty === undefined ? isTTY : opts.pretty;
    const stream = pretty ? prettySink(sink, isTTY) : sink;
    streams.push({ level: consoleLevel, stream: stream as DestinationStream });
    consoleStream = stream;
  }
  if (opts.file !== undefined && level !== "silent") {
    fileStream = createRotatingFile(opts.file, opts.rotate ?? {});
    streams.push({ level, stream: fileStream as DestinationStream });
  }

  const minLevel = streams.length === 0 ? "silent" : lowest(streams.map((s) => s.level as LogLevel));
  const logger = pino(
    {
      level: minLevel,
      base: opts.base ?? { pid: process.pid },
      ...(opts.name === undefined ? {} : { name: opts.name }),
      hooks: { streamWrite: (line: string) => redactor.line(line) },
    },
    pino.multistream(streams, { dedupe: false }),
  );
  registerLevelTargets(logger, { console: consoleStream, file: fileStream });
  for (const p of redactor.problems) {
    logger.warn(
      { setting: `logging.redactPatterns[${p.index}]` },
      `logging.redactPatterns[${p.index}] is ignored: ${p.message}`,
    );
  }
  return logger;
}

function lowest(levels: readonly LogLevel[]): LogLevel {
  return levels.reduce((a, b) => (LEVEL_ORDER.indexOf(a) <= LEVEL_ORDER.indexOf(b) ? a : b));
}

/** Wraps a sink with pino-pretty's synchronous formatter (no transport worker, no stream piping). */
function prettySink(sink: LogSink, colorize: boolean): LogSink {
  const require = createRequire(import.meta.url);
  const { prettyFactory } = require("pino-pretty") as typeof import("pino-pretty");
  const format = prettyFactory({ colorize, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" });
  return { write: (line: string) => sink.write(format(line)) };
}
