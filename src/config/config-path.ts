import { fail } from "../core/errors.js";
import type { PathSegment } from "./tree.js";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Formats a path the way the CLI accepts it: `agents.list[0].id`, and bracket-quoted keys that
 * are not plain words: `channels.telegram.groups["*"]`.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * Parses a CLI path: dot-separated keys, `[n]` array indexes and `["any key"]` quoted keys.
 * Throws PAL_CONFIG_PATH on malformed input. An empty path is refused: the root is not a value
 * one sets or unsets.
 */
export function parsePath(input: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  const bad = (detail: string) => fail("PAL_CONFIG_PATH", { path: JSON.stringify(input), detail });
  if (input.trim() === "") throw bad("it is empty; use a dot path such as gateway.port");
  while (i < input.length) {
    const c = input[i];
    if (c === "[") {
      const close = input.indexOf("]", i);
      if (close < 0) throw bad(`unclosed "[" at ${i + 1}`);
      const inner = input.slice(i + 1, close);
      if (/^\d+$/.test(inner)) out.push(Number(inner));
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) out.push(JSON.parse(inner) as string);
      else throw bad(`[${inner}] must be a number or a "quoted key"`);
      i = close + 1;
      if (input[i] === ".") i++;
      continue;
    }
    let j = i;
    while (j < input.length && input[j] !== "." && input[j] !== "[") j++;
    const key = input.slice(i, j);
    if (key === "") throw bad(`empty key at ${i + 1}; remove the extra "."`);
    out.push(key);
    i = input[j] === "." ? j + 1 : j;
    if (input[j] === "." && i === input.length) throw bad("it ends with a dot");
  }
  return out;
}
