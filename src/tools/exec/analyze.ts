/**
 * Command analysis for exec approvals: a command line is lexed, then every simple command is
 * unwrapped through wrappers (`env`, `time`, `nice`, `nohup`, `timeout`, `stdbuf`, `ionice`,
 * `setsid`, `command`, `exec`, `xargs`, `busybox`, and `sh|bash|... -c` scripts, recursively),
 * so the allowlist judges the commands that would really run. Privilege changers (`sudo`,
 * `doas`, `su`), code evaluators (`eval`, `source`, `.`), wrappers with options we do not know,
 * and anything the lexer refuses are "not analyzable" and never match the allowlist.
 */
import { parseShellWords } from "./shell-words.js";

/** The commands a line would run, or why it cannot be known without running it. */
export type Analysis =
  | { readonly ok: true; readonly commands: readonly (readonly string[])[] }
  | { readonly ok: false; readonly reason: string };

const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox-sh"]);
const NEVER = new Set([
  "sudo",
  "doas",
  "su",
  "pkexec",
  "eval",
  "source",
  ".",
  "builtin",
  "chroot",
  "unshare",
  "nsenter",
  "runuser",
  "setpriv",
  "capsh",
]);
const MAX_DEPTH = 4;

const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
type Step = { argv: readonly string[] } | { commands: readonly (readonly string[])[] } | { reason: string };

/** Skips leading options of a wrapper; `withValue` options consume the next word. */
function skipOptions(
  argv: readonly string[],
  from: number,
  flags: string,
  withValue: string,
): number | undefined {
  let i = from;
  while (i < argv.length) {
    const a = argv[i] as string;
    if (a === "--") return i + 1;
    if (!a.startsWith("-") || a === "-") return i;
    if (a.startsWith("--")) {
      const name = a.slice(2).split("=")[0] ?? "";
      if (!flags.split(",").includes(name) && !withValue.split(",").includes(name)) return undefined;
      i += withValue.split(",").includes(name) && !a.includes("=") ? 2 : 1;
      continue;
    }
    const letters = a.slice(1);
    let consumed = 1;
    for (let k = 0; k < letters.length; k++) {
      const l = letters[k] as string;
      if (withValue.includes(`-${l}`)) {
        if (k === letters.length - 1) consumed = 2;
        break;
      }
      if (!flags.includes(`-${l}`)) return undefined;
    }
    i += consumed;
  }
  return i;
}

function unwrapOne(argv: readonly string[]): Step {
  const name = base(argv[0] as string);
  const rest = (from: number | undefined, what: string): Step =>
    from === undefined
      ? { reason: `${what} with options that are not understood` }
      : from >= argv.length
        ? { argv: [name] }
        : { argv: argv.slice(from) };
  if (NEVER.has(name)) return { reason: `"${name}" changes privileges or evaluates code` };
  switch (name) {
    case "env": {
      const i = skipOptions(argv, 1, "-i,-0,ignore-environment,null", "-u,unset,-C,chdir");
      if (i === undefined) return { reason: "env with options that are not understood" };
      if (argv.slice(i).some((a) => a.includes("="))) return { reason: "env sets variables" };
      return i >= argv.length ? { argv: ["env"] } : { argv: argv.slice(i) };
    }
    case "time":
      return rest(skipOptions(argv, 1, "-p,-v,portability,verbose", "-f,format,-o,output"), "time");
    case "nice":
      return rest(skipOptions(argv, 1, "", "-n,adjustment"), "nice");
    case "nohup":
    case "setsid":
      return rest(skipOptions(argv, 1, "-f,-w,fork,wait", ""), name);
    case "ionice":
      return rest(skipOptions(argv, 1, "-t,ignore", "-c,class,-n,classdata"), "ionice");
    case "stdbuf":
      return rest(skipOptions(argv, 1, "", "-i,-o,-e,input,output,error"), "stdbuf");
    case "timeout": {
      const i = skipOptions(
        argv,
        1,
        "-v,--foreground,--preserve-status,verbose,foreground,preserve-status",
        "-s,-k,signal,kill-after",
      );
      if (i === undefined || i + 1 >= argv.length)
        return { reason: "timeout with options that are not understood" };
      return { argv: argv.slice(i + 1) };
    }
    case "command":
    case "exec": {
      if (argv.slice(1).some((a) => a === "-v" || a === "-V")) return { argv: [name] };
      return rest(skipOptions(argv, 1, "-p,-l,-c", "-a"), name);
    }
    case "xargs": {
      const i = skipOptions(
        argv,
        1,
        "-0,-r,-t,-x,-p,null,no-run-if-empty,verbose,exit,interactive",
        "-I,-n,-P,-L,-d,-E,-s,-a,max-args,max-procs,max-lines,delimiter,eof,max-chars,arg-file,replace",
      );
      if (i === undefined) return { reason: "xargs with options that are not understood" };
      return { argv: i >= argv.length ? ["echo"] : argv.slice(i) };
    }
    case "busybox":
      return argv.length > 1 ? { argv: argv.slice(1) } : { argv: ["busybox"] };
    case "find": {
      const bad = argv.find((a) => /^-(exec|execdir|ok|okdir|delete|fprint|fprint0|fprintf|fls)$/.test(a));
      return bad === undefined ? { argv } : { reason: `find ${bad} runs commands or writes files` };
    }
  }
  if (SHELLS.has(name)) {
    const cIndex = argv.findIndex((a, k) => k > 0 && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a));
    if (cIndex < 0) return { argv };
    const script = argv[cIndex + 1];
    if (script === undefined) return { reason: `${name} -c without a script` };
    const parsed = parseShellWords(script);
    if (!parsed.ok) return { reason: `inner ${name} -c script: ${parsed.reason}` };
    return { commands: parsed.commands };
  }
  return { argv };
}

function unwrap(argv: readonly string[], depth: number, out: (readonly string[])[]): string | undefined {
  let cur = argv;
  for (let guard = 0; guard < 32; guard++) {
    if (cur.length === 0) return "empty command";
    const step = unwrapOne(cur);
    if ("reason" in step) return step.reason;
    if ("commands" in step) {
      if (depth >= MAX_DEPTH) return "shell scripts nested too deep";
      for (const c of step.commands) {
        const why = unwrap(c, depth + 1, out);
        if (why !== undefined) return why;
      }
      return undefined;
    }
    if (step.argv === cur || (step.argv.length === cur.length && step.argv.every((a, i) => a === cur[i]))) {
      out.push(cur);
      return undefined;
    }
    cur = step.argv;
  }
  return "too many nested wrappers";
}

/** Analyses a command line into the commands that would run. */
export function analyzeCommand(line: string): Analysis {
  const parsed = parseShellWords(line);
  if (!parsed.ok) return parsed;
  const out: (readonly string[])[] = [];
  for (const c of parsed.commands) {
    const why = unwrap(c, 0, out);
    if (why !== undefined) return { ok: false, reason: why };
  }
  return { ok: true, commands: out };
}
