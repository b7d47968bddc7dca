/**
 * Allowlist matching for exec. A pattern is a binary (a bare name matches only commands looked
 * up through the fixed PATH, never `./name`; a pattern with `/` matches the absolute path given)
 * followed by optional argument patterns (`*` wildcards; a final lone `*` matches any remaining
 * arguments; with no argument patterns any arguments match). The built-in safe binaries run
 * without asking as long as no argument reaches outside the working directory.
 */
/** Binaries that read or print but do not write or run anything else (host runs included). */
export const DEFAULT_SAFE_BINS: readonly string[] = Object.freeze([
  "echo",
  "printf",
  "pwd",
  "date",
  "true",
  "false",
  "uname",
  "ls",
  "cat",
  "head",
  "tail",
  "wc",
  "grep",
  "sort",
  "uniq",
  "cut",
  "tr",
  "jq",
  "basename",
  "dirname",
  "seq",
  "diff",
]);

/** Options of safe bins that write files or change the system. */
const SAFE_BIN_REFUSED: Readonly<Record<string, RegExp>> = {
  sort: /^(-[a-zA-Z]*[oT].*|--output(=.*)?|--compress-program(=.*)?|--temporary-directory(=.*)?)$/,
  date: /^(-[a-zA-Z]*[sf].*|--set(=.*)?|--file(=.*)?)$/,
  grep: /^(-[a-zA-Z]*f.*|--file(=.*)?)$/,
  jq: /^(-[a-zA-Z]*f.*|--from-file|--rawfile|--slurpfile)$/,
};

const tokens = (pattern: string) =>
  pattern
    .trim()
    .split(/\s+/)
    .filter((t) => t !== "");
/** Whether argv[0] names a binary the way `pattern`'s first token does. */
function binaryMatches(pat: string, cmd: string): boolean {
  if (pat.includes("/")) return cmd.startsWith("/") && globExact(pat, cmd);
  return !cmd.includes("/") && globExact(pat, cmd);
}

function globExact(pat: string, s: string): boolean {
  const body = pat
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s").test(s);
}

/** Whether one command (argv) matches one allowlist pattern. */
export function matchesPattern(pattern: string, argv: readonly string[]): boolean {
  const [bin, ...args] = tokens(pattern);
  const [cmd, ...rest] = argv;
  if (bin === undefined || cmd === undefined || !binaryMatches(bin, cmd)) return false;
  if (args.length === 0) return true;
  for (let i = 0; i < args.length; i++) {
    const p = args[i] as string;
    if (p === "*" && i === args.length - 1) return true;
    const a = rest[i];
    if (a === undefined || !globExact(p, a)) return false;
  }
  return rest.length === args.length;
}

/** Why a safe-bin argument is refused: absolute, home-relative or `..` paths and writing options. */
function safeBinArgProblem(cmd: string, arg: string): string | undefined {
  if (arg.startsWith("/") || arg.startsWith("~")) return "an absolute path";
  if (arg.split("/").includes("..")) return '".."';
  if (arg.includes("=/") || arg.includes("=~")) return "an absolute path in an option";
  if (SAFE_BIN_REFUSED[cmd]?.test(arg)) return `the option ${arg}`;
  return undefined;
}

/** Whether a command is a safe bin used safely. */
export function isSafeBinUse(argv: readonly string[], extra: readonly string[] = []): boolean {
  const [cmd, ...args] = argv;
  if (cmd === undefined || cmd.includes("/")) return false;
  if (!DEFAULT_SAFE_BINS.includes(cmd) && !extra.includes(cmd)) return false;
  return args.every((a) => safeBinArgProblem(cmd, a) === undefined);
}

/** Whether every command matches the allowlist or is a safe bin used safely. */
export function allowlistHit(
  commands: readonly (readonly string[])[],
  allowlist: readonly string[],
  safeBins: readonly string[] = [],
): { hit: boolean; miss?: readonly string[] } {
  for (const c of commands) {
    if (isSafeBinUse(c, safeBins)) continue;
    if (allowlist.some((p) => matchesPattern(p, c))) continue;
    return { hit: false, miss: c };
  }
  return { hit: true };
}
