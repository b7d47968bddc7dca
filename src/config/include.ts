import { readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { type Diagnostic, diagnosticAt } from "./diagnostics.js";
import { parseJson5 } from "./parse.js";
import { type LNode, mergeNodes, type PathSegment, relocate } from "./tree.js";

/** Deepest `$include` nesting allowed (OpenClaw's limit). */
export const MAX_INCLUDE_DEPTH = 10;
/** Largest config or included file read, in bytes. */
export const MAX_CONFIG_BYTES = 2 * 1024 * 1024;

/** How `$include` files are found and read. */
export interface IncludeOptions {
  /** Directories included files must stay inside; default: the main config file's directory. */
  readonly roots: readonly string[];
  /** Reads a file; injectable for tests. Default: readFileSync utf8. */
  readonly readFile?: (file: string) => string;
}

interface Ctx {
  readonly opts: IncludeOptions;
  readonly problems: Diagnostic[];
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

function inside(file: string, roots: readonly string[]): boolean {
  const f = real(file);
  return roots.some((r) => {
    const rel = relative(real(r), f);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
  });
}

function readIncluded(file: string, ctx: Ctx): string | Error {
  try {
    const text = (ctx.opts.readFile ?? ((f) => readFileSync(f, "utf8")))(file);
    if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) return new Error("it is larger than 2 MiB");
    return text;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return new Error(e.code === "ENOENT" ? "it does not exist" : e.message);
  }
}

/** Loads one included file and resolves its own includes; undefined after reporting a problem. */
function loadIncluded(target: string, at: LNode, path: PathSegment[], chain: string[], ctx: Ctx) {
  const report = (message: string) => {
    ctx.problems.push(diagnosticAt(at.loc, [...path, "$include"], message));
    return undefined;
  };
  const cycleAt = chain.indexOf(target);
  if (cycleAt >= 0)
    return report(
      `include cycle: ${[...chain.slice(cycleAt), target].join(" -> ")}; remove one of these $include entries`,
    );
  if (chain.length > MAX_INCLUDE_DEPTH)
    return report(
      `includes nest deeper than ${MAX_INCLUDE_DEPTH} levels (${chain.join(" -> ")} -> ${target}); flatten them`,
    );
  if (!inside(target, ctx.opts.roots))
    return report(
      `${target} is outside the allowed include directories (${ctx.opts.roots.join(", ")}); move it there or list its directory in PALISADE_INCLUDE_ROOTS`,
    );
  const text = readIncluded(target, ctx);
  if (text instanceof Error) return report(`cannot include ${target}: ${text.message}; fix the path`);
  const parsed = parseJson5(text, target);
  if (!parsed.ok) {
    ctx.problems.push(parsed.problem);
    return undefined;
  }
  return resolveNode(parsed.tree, target, path, [...chain, target], ctx);
}

/** Resolves `$include` in an object node; the result takes the object's place. */
function resolveObject(
  node: Extract<LNode, { kind: "object" }>,
  file: string,
  path: PathSegment[],
  chain: string[],
  ctx: Ctx,
): LNode {
  const inc = node.entries.get("$include");
  const siblings = new Map(node.entries);
  siblings.delete("$include");
  for (const [k, v] of siblings) siblings.set(k, resolveNode(v, file, [...path, k], chain, ctx));
  const own: LNode = { kind: "object", loc: node.loc, entries: siblings };
  if (!inc) return own;
  const raw =
    inc.kind === "value" && typeof inc.value === "string"
      ? [inc.value]
      : inc.kind === "array" && inc.items.every((i) => i.kind === "value" && typeof i.value === "string")
        ? inc.items.map((i) => (i.kind === "value" ? String(i.value) : ""))
        : undefined;
  if (!raw) {
    ctx.problems.push(
      diagnosticAt(inc.loc, [...path, "$include"], "$include must be a file path or an array of file paths"),
    );
    return own;
  }
  let merged: LNode | undefined;
  for (const rel of raw) {
    const loaded = loadIncluded(resolve(dirname(file), rel), inc, path, chain, ctx);
    if (loaded) merged = merged ? mergeNodes(merged, loaded) : loaded;
  }
  if (!merged) return own;
  if (siblings.size === 0) return relocate(merged, node.loc);
  if (merged.kind !== "object") {
    ctx.problems.push(
      diagnosticAt(inc.loc, [...path, "$include"], "an included file with sibling keys must hold an object"),
    );
    return own;
  }
  return relocate(mergeNodes(merged, own), node.loc);
}

function resolveNode(node: LNode, file: string, path: PathSegment[], chain: string[], ctx: Ctx): LNode {
  if (node.kind === "object") return resolveObject(node, file, path, chain, ctx);
  if (node.kind === "array")
    return { ...node, items: node.items.map((n, i) => resolveNode(n, file, [...path, i], chain, ctx)) };
  return node;
}

/**
 * Replaces every `$include` in a parsed config with the included files' content: a single file
 * replaces the object holding `$include`; several files deep-merge in order (later wins, arrays
 * concatenate); sibling keys merge last and win. Paths are relative to the including file and
 * must stay inside `roots`; depth is at most 10; cycles are reported with the chain.
 */
export function resolveIncludes(
  tree: LNode,
  file: string,
  opts: IncludeOptions,
): { tree: LNode; problems: Diagnostic[] } {
  const ctx: Ctx = { opts, problems: [] };
  return { tree: resolveNode(tree, file, [], [file], ctx), problems: ctx.problems };
}
