import { type AnyNode, parse, type ValueNode } from "@humanwhocodes/momoa";
import type { Diagnostic } from "./diagnostics.js";
import { makeDiagnostic } from "./diagnostics.js";
import type { LNode, Loc } from "./tree.js";

/** Result of parsing one JSON5 file: a located tree or the syntax problem. */
export type ParseResult = { ok: true; tree: LNode } | { ok: false; problem: Diagnostic };

const locOf = (file: string, n: AnyNode): Loc => ({
  file,
  line: n.loc.start.line,
  col: n.loc.start.column,
});

function scalar(n: ValueNode): unknown {
  switch (n.type) {
    case "String":
    case "Number":
    case "Boolean":
      return n.value;
    case "Null":
      return null;
    case "NaN":
      return Number.NaN;
    case "Infinity":
      return n.sign === "-" ? -Infinity : Infinity;
    default:
      return undefined;
  }
}

function build(n: ValueNode, loc: Loc, file: string): LNode {
  if (n.type === "Object") {
    const entries = new Map<string, LNode>();
    for (const m of n.members) {
      const key = m.name.type === "Identifier" ? m.name.name : m.name.value;
      entries.set(key, build(m.value, locOf(file, m), file));
    }
    return { kind: "object", loc, entries };
  }
  if (n.type === "Array")
    return { kind: "array", loc, items: n.elements.map((e) => build(e.value, locOf(file, e), file)) };
  return { kind: "value", loc, value: scalar(n) };
}

/**
 * Parses JSON5 text into a located tree. Empty or whitespace-only text is an empty config.
 * A syntax error becomes one diagnostic with its line and column.
 */
export function parseJson5(text: string, file: string): ParseResult {
  if (text.trim() === "" || isOnlyComments(text))
    return { ok: true, tree: { kind: "object", loc: { file, line: 1, col: 1 }, entries: new Map() } };
  try {
    const doc = parse(text, { mode: "json5", ranges: true });
    return { ok: true, tree: build(doc.body, locOf(file, doc.body), file) };
  } catch (err) {
    const e = err as Error & { line?: number; column?: number };
    const where = e.line !== undefined ? { line: e.line, col: e.column ?? 1 } : {};
    const detail = e.message.replace(/\s*\(\d+:\d+\)\s*$/, "");
    return {
      ok: false,
      problem: makeDiagnostic({
        file,
        ...where,
        path: [],
        message: `JSON5 syntax error: ${detail}; check for a missing comma, quote or bracket near here`,
      }),
    };
  }
}

function isOnlyComments(text: string): boolean {
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/[^\n]*/g, "")
      .trim() === ""
  );
}
