import JSON5 from "json5";

/** How a file writes keys: JSON (all keys quoted) or JSON5 (bare identifiers). */
export type KeyStyle = "json" | "json5";

const BARE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A key as the file would write it. */
export function renderKey(key: string, style: KeyStyle): string {
  return style === "json5" && BARE.test(key) ? key : JSON.stringify(key);
}

/**
 * A value rendered in the file's style, indented so nested lines line up under `indent`.
 * JSON style writes plain JSON; JSON5 style writes bare keys where possible and double quotes.
 * An empty `unit` writes the value on one line (for inline objects).
 */
export function renderValue(value: unknown, style: KeyStyle, indent: string, unit: string): string {
  const text =
    style === "json"
      ? JSON.stringify(value, null, unit)
      : unit === ""
        ? JSON5.stringify(value, { quote: '"' })
        : JSON5.stringify(value, { space: unit, quote: '"' });
  if (text === undefined) throw new TypeError("value cannot be written as JSON");
  return text.replace(/\n/g, `\n${indent}`);
}

/** The indentation unit the file uses (first indented line), default two spaces. */
export function detectIndentUnit(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  return m?.[1] ?? "  ";
}

/** Leading whitespace of the line holding `offset`. */
export function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? "";
}

/** True when only whitespace precedes `offset` on its line. */
export function startsLine(text: string, offset: number): boolean {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  return text.slice(start, offset).trim() === "";
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/**
 * Skips whitespace and comments from `offset`; returns the offset of the next significant
 * character (or text.length).
 */
export function skipTrivia(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i] ?? "";
    if (/\s/.test(c)) i++;
    else if (text.startsWith("//", i)) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else break;
  }
  return i;
}

/**
 * When only spaces and maybe a `//` comment follow `offset` on its line, the offset of that
 * line's end (the newline, or text.length); undefined when code follows on the same line.
 */
export function restOfLineIsTrivia(text: string, offset: number): number | undefined {
  const nl = text.indexOf("\n", offset);
  const end = nl < 0 ? text.length : nl;
  const rest = text.slice(offset, end);
  return rest.trim() === "" || rest.trimStart().startsWith("//") ? end : undefined;
}
