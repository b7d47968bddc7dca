/**
 * A config value tree that remembers where each value was written (file, line, column), so a
 * problem found after `$include` merging and `${VAR}` substitution still points at the source.
 */

/** A position in a config file; line and col are 1-based. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A config value with its source location; objects and arrays hold located children. */
export type LNode =
  | { kind: "object"; loc: Loc; entries: Map<string, LNode> }
  | { kind: "array"; loc: Loc; items: LNode[] }
  | { kind: "value"; loc: Loc; value: unknown };

/** One step in a config path: an object key or an array index. */
export type PathSegment = string | number;

/** Plain JSON value of a located tree. */
export function toValue(node: LNode): unknown {
  if (node.kind === "value") return node.value;
  if (node.kind === "array") return node.items.map(toValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of node.entries) {
    // defineProperty keeps "__proto__" an ordinary key instead of changing the prototype
    Object.defineProperty(out, k, {
      value: toValue(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The child of `node` at one path segment, if any. */
export function child(node: LNode, seg: PathSegment): LNode | undefined {
  if (node.kind === "object") return node.entries.get(String(seg));
  if (node.kind === "array" && typeof seg === "number") return node.items[seg];
  return undefined;
}

/** The node at `path`, or the deepest existing ancestor (so a problem still gets a location). */
export function locate(root: LNode, path: readonly PathSegment[]): { node: LNode; exact: boolean } {
  let node = root;
  for (const seg of path) {
    const next = child(node, seg);
    if (!next) return { node, exact: false };
    node = next;
  }
  return { node, exact: true };
}

/** Deep merge used by `$include`: objects merge key by key, arrays concatenate, `b` wins otherwise. */
export function mergeNodes(a: LNode, b: LNode): LNode {
  if (a.kind === "object" && b.kind === "object") {
    const entries = new Map(a.entries);
    for (const [k, v] of b.entries) {
      const prev = entries.get(k);
      entries.set(k, prev ? mergeNodes(prev, v) : v);
    }
    return { kind: "object", loc: b.loc, entries };
  }
  if (a.kind === "array" && b.kind === "array")
    return { kind: "array", loc: b.loc, items: [...a.items, ...b.items] };
  return b;
}

/** A copy of `node` placed at `loc` (an included file's content takes the location of the include). */
export function relocate(node: LNode, loc: Loc): LNode {
  return { ...node, loc };
}
