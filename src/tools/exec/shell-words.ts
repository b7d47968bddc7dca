/**
 * A deliberately small POSIX shell lexer for the exec allowlist. It splits a command line into
 * simple commands (by `|`, `||`, `&&`, `;`, `&` and newlines) of literal words, honouring single
 * quotes, double quotes and backslashes. Everything whose meaning depends on the shell's state
 * or expansion — `$` in any form, backticks, globs, `~`, braces, subshells, heredocs, file
 * redirections, variable assignments, control keywords — makes the line "not analyzable", which
 * the approval policy treats as a miss. What is accepted therefore means the same to `sh` as it
 * does here. (Chosen over the shell-quote package, whose parse expands variables and returns
 * globs and operators in shapes that need the same conservative post-checks anyway.)
 */

/** The result of lexing a command line. */
export type ShellParse =
  | { readonly ok: true; readonly commands: readonly (readonly string[])[] }
  | { readonly ok: false; readonly reason: string };

const SEPARATORS = new Set(["|", "||", "&&", ";", "&", "|&", "\n"]);
const KEYWORDS = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "for",
  "while",
  "until",
  "do",
  "done",
  "case",
  "esac",
  "function",
  "select",
  "[[",
  "]]",
  "!",
  "{",
  "}",
  "coproc",
]);
/** Redirections that only join or discard streams; any other redirection is not analyzable. */
const HARMLESS_REDIRECTS = /^(?:[0-9]?>&[0-9]|[0-9]?>\/dev\/null|&>\/dev\/null|[0-9]?<\/dev\/null)$/;
/** Longest command line analysed. */
export const MAX_COMMAND_CHARS = 16_384;

const no = (reason: string): ShellParse => ({ ok: false, reason });

/** Lexes `line`; see the module comment for what is refused. */
export function parseShellWords(line: string): ShellParse {
  if (line.length > MAX_COMMAND_CHARS) return no(`longer than ${MAX_COMMAND_CHARS} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line)) return no("control characters");
  const commands: string[][] = [];
  let words: string[] = [];
  let word = "";
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = (op: string): string | undefined => {
    endWord();
    if (words.length === 0) return `empty command before "${op.replace("\n", "newline")}"`;
    commands.push(words);
    words = [];
    return undefined;
  };
  const src = line.replace(/\\\n/g, "");
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (ch === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) return no("unterminated single quote");
      word += src.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) {
        const c = src[j] as string;
        if (c === "$" || c === "`") return no("expansion inside double quotes ($ or backtick)");
        if (c === "\\" && j + 1 < src.length && '"\\$`'.includes(src[j + 1] as string)) {
          word += src[j + 1];
          j++;
        } else word += c;
      }
      if (j >= src.length) return no("unterminated double quote");
      inWord = true;
      i = j;
    } else if (ch === "\\") {
      if (i + 1 >= src.length) return no("trailing backslash");
      word += src[i + 1];
      inWord = true;
      i++;
    } else if (ch === " " || ch === "\t") {
      endWord();
    } else if (ch === "#" && !inWord) {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl - 1;
    } else if (ch === "$" || ch === "`") {
      return no("variable expansion or command substitution");
    } else if ("*?[".includes(ch)) {
      return no("glob patterns");
    } else if ("{}()".includes(ch)) {
      return no("subshells, groups or brace expansion");
    } else if (ch === "~" && !inWord) {
      return no("tilde expansion");
    } else if (ch === "<" || ch === ">") {
      const m = /^(?:[0-9]?>&[0-9]|[0-9]?>\/dev\/null|&>\/dev\/null|[0-9]?<\/dev\/null)(?=$|[\s;&|])/.exec(
        (inWord && /^[0-9]$/.test(word) ? word : "") + src.slice(i),
      );
      if (src.startsWith("<<", i)) return no("heredocs and here-strings");
      if (m === null || !HARMLESS_REDIRECTS.test(m[0])) return no("file redirections");
      const fdLen = inWord && /^[0-9]$/.test(word) ? 1 : 0;
      if (fdLen === 1) {
        word = "";
        inWord = false;
      } else endWord();
      i += m[0].length - fdLen - 1;
    } else if (ch === "|" || ch === "&" || ch === ";" || ch === "\n") {
      if (ch === "&" && src[i + 1] === ">") {
        const m = /^&>\/dev\/null(?=$|[\s;&|])/.exec(src.slice(i));
        if (m === null) return no("file redirections");
        endWord();
        i += m[0].length - 1;
        continue;
      }
      const two = src.slice(i, i + 2);
      const op = SEPARATORS.has(two) ? two : ch;
      if (op === ";;" || two === ";&") return no("case syntax");
      const err = endCommand(op);
      if (err !== undefined) return no(err);
      i += op.length - 1;
    } else {
      if (ch === "=" && !inWord) return no("words starting with =");
      word += ch;
      inWord = true;
    }
  }
  endWord();
  if (words.length > 0) commands.push(words);
  if (commands.length === 0) return no("empty command");
  for (const c of commands) {
    const first = c[0] as string;
    if (KEYWORDS.has(first)) return no(`shell keyword "${first}"`);
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) return no("variable assignments before a command");
  }
  return { ok: true, commands };
}
