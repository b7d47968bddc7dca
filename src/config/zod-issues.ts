import type { z } from "zod";
import { closest, type Diagnostic, diagnosticAt } from "./diagnostics.js";
import { OPENCLAW_UNSUPPORTED_AGENT_KEYS, unsupportedMessage } from "./openclaw-keys.js";
import { configSchema } from "./schema/root.js";
import { child, type LNode, locate, type PathSegment, toValue } from "./tree.js";

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** The schemas that can describe the value at `path` (several under a union). */
function schemasAt(path: readonly PathSegment[]): AnySchema[] {
  let current: AnySchema[] = [configSchema];
  for (const seg of path) {
    const next: AnySchema[] = [];
    for (const s of current.flatMap(unwrap)) {
      const def = s._zod.def as unknown as Record<string, unknown>;
      if (def.type === "object") {
        const f = (def.shape as Record<string, AnySchema>)[String(seg)];
        if (f) next.push(f);
      } else if (def.type === "record") next.push(def.valueType as AnySchema);
      else if (def.type === "array" && typeof seg === "number") next.push(def.element as AnySchema);
    }
    current = next;
  }
  return current.flatMap(unwrap);
}

function unwrap(s: AnySchema): AnySchema[] {
  const def = s._zod.def as unknown as Record<string, unknown>;
  if (def.type === "union") return (def.options as AnySchema[]).flatMap(unwrap);
  if (def.type === "pipe") return unwrap(def.in as AnySchema);
  if (def.innerType) return unwrap(def.innerType as AnySchema);
  return [s];
}

/** Keys allowed at `path`, for "did you mean". */
export function keysAt(path: readonly PathSegment[]): string[] {
  return schemasAt(path).flatMap((s) => {
    const def = s._zod.def as unknown as Record<string, unknown>;
    return def.type === "object" ? Object.keys(def.shape as object) : [];
  });
}

function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_NAMES: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  record: "an object",
};

function unknownKeyMessage(key: string, path: readonly PathSegment[]): string {
  const agentLevel = path[0] === "agents" && (path[1] === "defaults" || path[1] === "list");
  if (agentLevel && path.length <= 3 && OPENCLAW_UNSUPPORTED_AGENT_KEYS.has(key))
    return unsupportedMessage(key);
  const allowed = keysAt(path);
  const guess = closest(key, allowed);
  if (guess) return `unknown key "${key}"; did you mean "${guess}"?`;
  return `unknown key "${key}"; remove it (allowed here: ${allowed.join(", ") || "none"})`;
}

function sizeMessage(issue: Issue & { code: "too_small" | "too_big" }): string {
  const small = issue.code === "too_small";
  const bound = String(small ? issue.minimum : issue.maximum);
  const op = small
    ? issue.inclusive === false
      ? "greater than"
      : "at least"
    : issue.inclusive === false
      ? "less than"
      : "at most";
  if (issue.origin === "string")
    return small && bound === "1"
      ? "must not be empty; write a value or remove the key"
      : `must be ${op} ${bound} characters long`;
  if (issue.origin === "array") return `must have ${op} ${bound} items`;
  return `must be ${op} ${bound}; change the value`;
}

function messageFor(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return `is required; add it`;
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describeValue(input)}; change the value`;
    case "invalid_value": {
      const allowed = issue.values.map((v) => JSON.stringify(v));
      const guess = typeof input === "string" ? closest(input, issue.values.map(String)) : undefined;
      const hint = guess ? `did you mean "${guess}"?` : `use one of ${allowed.join(", ")}`;
      return `${describeValue(input)} is not allowed; ${hint}`;
    }
    case "too_small":
    case "too_big":
      return sizeMessage(issue);
    case "invalid_format":
      if (issue.format === "url")
        return `${describeValue(input)} is not a valid URL; write a full URL such as https://example.com`;
      return `${describeValue(input)} is not valid: ${issue.message}`;
    case "invalid_key":
      return `key is not valid: ${issue.issues.map((i) => i.message).join("; ")}`;
    default:
      return issue.message;
  }
}

/** Picks the union branch whose issues best match the input (fewest, then deepest). */
function bestBranch(issue: Issue & { code: "invalid_union" }): Issue[] | undefined {
  const branches = issue.errors.filter(
    (b) => !b.some((i) => i.code === "invalid_type" && i.path.length === 0),
  );
  if (branches.length === 0) return undefined;
  return branches.sort((a, b) => a.length - b.length)[0];
}

/** Turns zod issues into located diagnostics, one per problem (one per unknown key). */
export function issuesToDiagnostics(
  issues: readonly Issue[],
  tree: LNode,
  base: PathSegment[] = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === "unrecognized_keys") {
      const parent = locate(tree, path).node;
      for (const key of issue.keys) {
        const at = child(parent, key) ?? parent;
        out.push(diagnosticAt(at.loc, [...path, key], unknownKeyMessage(key, path)));
      }
      continue;
    }
    if (issue.code === "invalid_union") {
      const branch = bestBranch(issue);
      if (branch) {
        out.push(...issuesToDiagnostics(branch, tree, path));
        continue;
      }
    }
    const found = locate(tree, path);
    const input = found.exact ? toValue(found.node) : undefined;
    const message =
      issue.code === "invalid_union"
        ? `expected ${unionExpectation(issue)}, got ${describeValue(input)}; change the value`
        : messageFor(issue, input);
    out.push(diagnosticAt(found.node.loc, path, message));
  }
  return out;
}

function unionExpectation(issue: Issue & { code: "invalid_union" }): string {
  const names = issue.errors.flatMap((b) =>
    b
      .filter((i) => i.code === "invalid_type" && i.path.length === 0)
      .map((i) => (i.code === "invalid_type" ? (TYPE_NAMES[i.expected] ?? i.expected) : "")),
  );
  return [...new Set(names)].join(" or ") || "another value";
}
