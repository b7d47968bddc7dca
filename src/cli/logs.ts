import type { Command } from "commander";
import { fail } from "../core/errors.js";
import { action, type CliContext } from "./context.js";
import { addConnectionOptions, connectFromFlags, reportCallError } from "./gateway.js";

interface LogsFlags {
  follow?: boolean;
  limit: string;
  json?: boolean;
  interval: string;
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

/** What `logs.tail` answers (OpenClaw's shape; extra fields ignored). */
interface TailResult {
  cursor?: number;
  lines?: string[];
  reset?: boolean;
  truncated?: boolean;
}

/** Formats one JSON log line for a terminal; non-JSON lines pass through. */
export function formatLogLine(line: string): string {
  try {
    const rec = JSON.parse(line) as {
      time?: number | string;
      level?: number | string;
      msg?: string;
      [k: string]: unknown;
    };
    const levels: Record<number, string> = {
      10: "trace",
      20: "debug",
      30: "info",
      40: "warn",
      50: "error",
      60: "fatal",
    };
    const level =
      typeof rec.level === "number" ? (levels[rec.level] ?? String(rec.level)) : String(rec.level ?? "");
    const time = rec.time === undefined ? "" : new Date(rec.time).toISOString();
    const { time: _t, level: _l, msg, pid: _p, hostname: _h, ...rest } = rec;
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
    return `${time} ${level.padEnd(5)} ${msg ?? ""}${extra}`;
  } catch {
    return line;
  }
}

/** Registers `palisade logs`. */
export function registerLogsCommand(program: Command): void {
  addConnectionOptions(
    program
      .command("logs")
      .description("show the running gateway's log (redacted), optionally following it")
      .option("-f, --follow", "keep printing new lines until interrupted")
      .option("-n, --limit <n>", "how many recent lines to show first", "100")
      .option("--interval <ms>", "poll interval with --follow", "1000")
      .option("--json", "print raw JSON lines"),
  ).action(
    action(async (ctx: CliContext, flags: LogsFlags) => {
      const limit = Number(flags.limit);
      const interval = Number(flags.interval);
      if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
        throw fail("PAL_USAGE", {
          detail: `--limit must be a whole number from 1 to 5000, not "${flags.limit}"`,
        });
      }
      if (!Number.isFinite(interval) || interval < 100) {
        throw fail("PAL_USAGE", { detail: "--interval takes milliseconds, at least 100" });
      }
      const client = await connectFromFlags(ctx, flags);
      const print = (lines: string[] | undefined) => {
        for (const l of lines ?? []) ctx.out(flags.json ? l : formatLogLine(l));
      };
      try {
        let res = await client.call<TailResult>("logs.tail", { limit, maxBytes: 250_000 });
        print(res.lines);
        if (!flags.follow) return 0;
        let stop = false;
        const onSig = () => {
          stop = true;
        };
        process.once("SIGINT", onSig);
        process.once("SIGTERM", onSig);
        client.closed.then(() => {
          stop = true;
        });
        while (!stop) {
          await new Promise((r) => setTimeout(r, interval));
          if (stop) break;
          res = await client.call<TailResult>("logs.tail", {
            cursor: res.cursor,
            limit: 1000,
            maxBytes: 250_000,
          });
          if (res.reset) ctx.err("(log file was rotated or truncated)");
          print(res.lines);
        }
        return 0;
      } catch (err) {
        return reportCallError(ctx, err);
      } finally {
        client.close();
      }
    }),
  );
}
