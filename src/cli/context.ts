import type { Command } from "commander";
import { PalisadeError } from "../core/errors.js";
import { type PalisadePaths, resolvePaths } from "../core/paths.js";

/** What every command action gets: resolved paths and output helpers. */
export interface CliContext {
  /** State dir and config path from --state-dir / --config / env / defaults. */
  readonly paths: PalisadePaths;
  /** --verbose: show stack traces and debug detail. */
  readonly verbose: boolean;
  /** Writes a line to stdout. */
  out(line: string): void;
  /** Writes a line to stderr. */
  err(line: string): void;
}

/** Global options, read from the root program. */
interface GlobalOptions {
  stateDir?: string;
  config?: string;
  verbose?: boolean;
}

/** Builds the context from the root command's global options. */
export function contextFrom(cmd: Command): CliContext {
  let root = cmd;
  while (root.parent) root = root.parent;
  const g = root.opts<GlobalOptions>();
  return {
    paths: resolvePaths({ stateDir: g.stateDir, config: g.config }),
    verbose: g.verbose === true,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Exit code set by a command that finished but wants a non-zero status (e.g. validation failed). */
export class ExitCode {
  constructor(readonly code: number) {}
}

/**
 * Wraps a command action: resolves the context, runs it, and turns failures into one clear
 * message on stderr and the registry's exit code (2 usage/config, 1 runtime). Stack traces only
 * with --verbose.
 */
export function action<A extends unknown[]>(
  fn: (ctx: CliContext, ...args: A) => Promise<unknown>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    const ctx = contextFrom(cmd);
    try {
      const code = await fn(ctx, ...args);
      if (typeof code === "number") process.exitCode = code;
    } catch (err) {
      process.exitCode = reportError(ctx, err);
    }
  };
}

/** Prints an error the way the CLI does and returns the exit code to use. */
export function reportError(ctx: Pick<CliContext, "err" | "verbose">, err: unknown): number {
  if (err instanceof PalisadeError) {
    ctx.err(`error: ${err.message}`);
    const problems = err.details?.problems;
    if (Array.isArray(problems))
      for (const p of problems)
        ctx.err(
          `  ${typeof p === "string" ? p : String((p as { text?: string }).text ?? JSON.stringify(p))}`,
        );
    if (ctx.verbose && err.stack) ctx.err(err.stack);
    return err.exitCode;
  }
  const e = err as Error;
  ctx.err(`error: ${e?.message ?? String(err)}`);
  if (ctx.verbose && e?.stack) ctx.err(e.stack);
  else ctx.err("  (run with --verbose for details)");
  return 1;
}
