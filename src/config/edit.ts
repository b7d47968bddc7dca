import { isDeepStrictEqual } from "node:util";
import { type ArrayNode, evaluate, type ObjectNode, parse, type ValueNode } from "@humanwhocodes/momoa";
import { fail } from "../core/errors.js";
import { formatPath, parsePath } from "./config-path.js";
import { parseJson5 } from "./parse.js";
import {
  detectIndentUnit,
  type KeyStyle,
  lineIndent,
  lineStart,
  renderKey,
  renderValue,
  restOfLineIsTrivia,
  skipTrivia,
  startsLine,
} from "./render.js";
import type { PathSegment } from "./tree.js";

/** A config path as a dot string (`agents.list[0].id`) or as segments. */
export type ConfigPath = string | readonly PathSegment[];

const segments = (p: ConfigPath): PathSegment[] => (typeof p === "string" ? parsePath(p) : [...p]);

/** Result of {@link getAtPath}: found with its value, or not found. */
export type GetResult = { readonly found: true; readonly value: unknown } | { readonly found: false };

/** Reads the value at a path of a plain JSON value (own properties only; arrays by index). */
export function getAtPath(root: unknown, path: ConfigPath): GetResult {
  let cur = root;
  for (const seg of segments(path)) {
    if (Array.isArray(cur)) {
      const i = typeof seg === "number" ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
      if (i < 0 || i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (typeof cur === "object" && cur !== null && Object.hasOwn(cur, String(seg))) {
      cur = (cur as Record<string, unknown>)[String(seg)];
    } else return { found: false };
  }
  return { found: true, value: cur };
}

interface Doc {
  text: string;
  body: ValueNode;
  style: KeyStyle;
  unit: string;
}

function parseDoc(text: string): Doc | undefined {
  const checked = parseJson5(text, "<config>");
  if (!checked.ok)
    throw fail("PAL_CONFIG_PATH", {
      path: "(file)",
      detail: `the file does not parse: ${checked.problem.message}`,
    });
  if (text.trim() === "" || !/[[{"'\w]/.test(text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "")))
    return undefined;
  const doc = parse(text, { mode: "json5", ranges: true });
  let bare = false;
  let quoted = false;
  const walk = (n: ValueNode): void => {
    if (n.type === "Object")
      for (const m of n.members) {
        if (m.name.type === "Identifier") bare = true;
        else quoted = true;
        walk(m.value);
      }
    else if (n.type === "Array") for (const e of n.elements) walk(e.value);
  };
  walk(doc.body);
  return { text, body: doc.body, style: bare || !quoted ? "json5" : "json", unit: detectIndentUnit(text) };
}

/** Offsets of a node; momoa gives Element nodes a loc but no range. */
const range = (n: {
  range?: [number, number];
  loc: { start: { offset: number }; end: { offset: number } };
}) => n.range ?? [n.loc.start.offset, n.loc.end.offset];
const splice = (text: string, from: number, to: number, insert: string) =>
  text.slice(0, from) + insert + text.slice(to);
const keyOf = (m: ObjectNode["members"][number]) =>
  m.name.type === "Identifier" ? m.name.name : m.name.value;
const indexOf = (seg: PathSegment) => (typeof seg === "number" ? seg : /^\d+$/.test(seg) ? Number(seg) : -1);

/** Nests `value` under the remaining path segments (`["a","b"]` -> `{a:{b:value}}`). */
function nest(rest: readonly PathSegment[], value: unknown, path: readonly PathSegment[]): unknown {
  return rest.reduceRight<unknown>((acc, seg) => {
    if (typeof seg === "number") {
      if (seg !== 0)
        throw fail("PAL_CONFIG_PATH", {
          path: formatPath(path),
          detail: "a new array can only start at index 0",
        });
      return [acc];
    }
    return { [seg]: acc };
  }, value);
}

/** Inserts `item` (already rendered, e.g. `key: value`) as the last entry of a container. */
function appendItem(
  doc: Doc,
  node: ObjectNode | ArrayNode,
  item: (indent: string, compact: boolean) => string,
): string {
  const { text } = doc;
  const items = node.type === "Object" ? node.members : node.elements;
  const [open, close] = range(node);
  const last = items[items.length - 1];
  if (!last) {
    const base = lineIndent(text, open);
    const inner = base + doc.unit;
    return splice(text, open + 1, close - 1, `\n${inner}${item(inner, false)}\n${base}`);
  }
  const end = range(last)[1];
  const next = skipTrivia(text, end);
  const hasComma = text[next] === ",";
  if (!startsLine(text, range(last)[0])) {
    const indent = lineIndent(text, range(last)[0]);
    return hasComma
      ? splice(text, next + 1, next + 1, ` ${item(indent, true)},`)
      : splice(text, end, end, `, ${item(indent, true)}`);
  }
  const indent = lineIndent(text, range(last)[0]);
  if (hasComma) {
    const at = restOfLineIsTrivia(text, next + 1) ?? next + 1;
    return splice(text, at, at, `\n${indent}${item(indent, false)},`);
  }
  const at = restOfLineIsTrivia(text, end) ?? end;
  const withComma = splice(text, end, end, ",");
  return splice(withComma, at + 1, at + 1, `\n${indent}${item(indent, false)}`);
}

/**
 * Sets the value at `path` in config text, keeping comments and formatting outside the edited
 * value: replaces an existing value in place, or inserts the missing key (creating parent
 * objects) after the last entry of the deepest existing object. The value is written in the
 * file's style (JSON or JSON5). Throws PAL_CONFIG_PATH when the path crosses a non-object.
 */
export function setConfigText(text: string, path: ConfigPath, value: unknown): string {
  const segs = segments(path);
  if (segs.length === 0) throw fail("PAL_CONFIG_PATH", { path: "(root)", detail: "set a key inside it" });
  const doc = parseDoc(text);
  let out: string;
  if (!doc) {
    const fresh = renderValue(nest(segs, value, segs), "json5", "", "  ");
    out = text.trim() === "" ? `${fresh}\n` : `${text.trimEnd()}\n${fresh}\n`;
  } else out = setIn(doc, segs, value);
  const check = getAtPath(evaluate(parse(out, { mode: "json5" })), segs);
  if (!check.found || !isDeepStrictEqual(check.value, value))
    throw fail("PAL_CONFIG_PATH", {
      path: formatPath(segs),
      detail: "the edit did not round-trip; edit the file by hand",
    });
  return out;
}

function setIn(doc: Doc, segs: PathSegment[], value: unknown): string {
  let node = doc.body;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as PathSegment;
    const rest = segs.slice(i + 1);
    if (node.type === "Object") {
      const member = node.members.findLast((m) => keyOf(m) === String(seg));
      if (!member)
        return appendItem(
          doc,
          node,
          (ind, compact) =>
            `${renderKey(String(seg), doc.style)}: ${renderValue(nest(rest, value, segs), doc.style, ind, compact ? "" : doc.unit)}`,
        );
      node = member.value;
    } else if (node.type === "Array") {
      const i2 = indexOf(seg);
      const el = node.elements[i2];
      if (el) node = el.value;
      else if (i2 === node.elements.length)
        return appendItem(doc, node, (ind, compact) =>
          renderValue(nest(rest, value, segs), doc.style, ind, compact ? "" : doc.unit),
        );
      else
        throw fail("PAL_CONFIG_PATH", {
          path: formatPath(segs),
          detail: `${formatPath(segs.slice(0, i))} has ${node.elements.length} items; use an index up to ${node.elements.length}`,
        });
    } else
      throw fail("PAL_CONFIG_PATH", {
        path: formatPath(segs),
        detail: `${formatPath(segs.slice(0, i)) || "the file"} is a ${node.type.toLowerCase()}, not an object; unset it first`,
      });
  }
  const [from, to] = range(node);
  const inline =
    !doc.text.slice(from, to).includes("\n") &&
    restOfLineIsTrivia(doc.text, skipComma(doc.text, to)) === undefined;
  return splice(
    doc.text,
    from,
    to,
    renderValue(value, doc.style, lineIndent(doc.text, from), inline ? "" : doc.unit),
  );
}

/** Offset just past a comma that follows `offset` (after trivia), or `offset` itself. */
function skipComma(text: string, offset: number): number {
  const next = skipTrivia(text, offset);
  return text[next] === "," ? next + 1 : offset;
}

/** Removes one entry (member or element) at `index` of a container, with its comma. */
function removeItem(text: string, node: ObjectNode | ArrayNode, index: number): string {
  const items = node.type === "Object" ? node.members : node.elements;
  const item = items[index];
  if (!item) return text;
  const [open, close] = range(node);
  if (items.length === 1) return splice(text, open, close, node.type === "Object" ? "{}" : "[]");
  const [from, to] = range(item);
  const next = items[index + 1];
  if (next) {
    const comma = skipTrivia(text, to);
    const eol = restOfLineIsTrivia(text, comma + 1);
    if (eol !== undefined && startsLine(text, from)) return splice(text, lineStart(text, from), eol + 1, "");
    let end = comma + 1;
    while (text[end] === " " || text[end] === "\t") end++;
    return splice(text, from, end, "");
  }
  const prev = items[index - 1];
  const prevComma = skipTrivia(text, range(prev ?? item)[1]);
  return splice(text, prevComma, to, "");
}

/**
 * Removes the key at `path` (every duplicate of it) from config text, with its comma, keeping the
 * rest of the file as written. Returns the text unchanged when the path does not exist.
 */
export function unsetConfigText(text: string, path: ConfigPath): string {
  const segs = segments(path);
  if (segs.length === 0) throw fail("PAL_CONFIG_PATH", { path: "(root)", detail: "unset a key inside it" });
  let out = text;
  for (let guard = 0; guard < 1000; guard++) {
    const doc = parseDoc(out);
    if (!doc) return out;
    let node = doc.body;
    for (const seg of segs.slice(0, -1)) {
      const nextNode =
        node.type === "Object"
          ? node.members.findLast((m) => keyOf(m) === String(seg))?.value
          : node.type === "Array"
            ? node.elements[indexOf(seg)]?.value
            : undefined;
      if (!nextNode) return out;
      node = nextNode;
    }
    const lastSeg = segs[segs.length - 1] as PathSegment;
    const idx =
      node.type === "Object"
        ? node.members.findLastIndex((m) => keyOf(m) === String(lastSeg))
        : node.type === "Array"
          ? indexOf(lastSeg) < node.elements.length
            ? indexOf(lastSeg)
            : -1
          : -1;
    if (idx < 0 || (node.type !== "Object" && node.type !== "Array")) return out;
    out = removeItem(out, node, idx);
    if (node.type === "Array") return out;
  }
  return out;
}
