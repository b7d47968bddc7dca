import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { fail } from "../core/errors.js";
import { type Diagnostic, diagnosticAt } from "./diagnostics.js";
import type { LNode, PathSegment } from "./tree.js";

/** Names `${VAR}` may use. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Max size of a `.env` file; larger files are refused rather than read into memory. */
const MAX_DOTENV_BYTES = 1024 * 1024;

function readDotEnv(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw fail("PAL_CONFIG_READ_FAILED", { file, detail: (err as Error).message }, { cause: err });
  }
  if (Buffer.byteLength(text) > MAX_DOTENV_BYTES)
    throw fail("PAL_CONFIG_READ_FAILED", { file, detail: "larger than 1 MiB" });
  return parseEnv(text) as Record<string, string>;
}

/**
 * The environment config substitution sees: `.env` in the cwd, then `.env` in the state dir,
 * then the process environment on top. A variable already in the environment is never
 * overridden, and the cwd file wins over the state-dir file.
 */
export function loadEnv(opts: {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stateDir: string;
}): Record<string, string> {
  const fromState = readDotEnv(join(opts.stateDir, ".env"));
  const fromCwd = opts.cwd === opts.stateDir ? {} : readDotEnv(join(opts.cwd, ".env"));
  const out: Record<string, string> = { ...fromState, ...fromCwd };
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Result of substituting one string. */
export interface Substituted {
  readonly value: string;
  /** Referenced variables that are unset or empty. */
  readonly missing: string[];
  /** `${...}` sequences that are not a valid reference (and not escaped with `$${`). */
  readonly invalid: string[];
}

/**
 * Replaces `${NAME}` with the variable's value; `$${` is a literal `${`. A reference to an unset
 * or empty variable, or a `${` that is neither a valid reference nor escaped, is reported: it is
 * never left in place silently.
 */
export function substituteString(s: string, env: Readonly<Record<string, string | undefined>>): Substituted {
  let value = "";
  const missing: string[] = [];
  const invalid: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("$${", i)) {
      value += "${";
      i += 3;
      continue;
    }
    if (s.startsWith("${", i)) {
      const close = s.indexOf("}", i + 2);
      const name = close < 0 ? "" : s.slice(i + 2, close);
      if (close >= 0 && ENV_NAME.test(name)) {
        const v = env[name];
        if (v === undefined || v === "") missing.push(name);
        else value += v;
        i = close + 1;
        continue;
      }
      invalid.push(close < 0 ? s.slice(i) : s.slice(i, close + 1));
      value += "${";
      i += 2;
      continue;
    }
    value += s[i];
    i++;
  }
  return { value, missing, invalid };
}

/**
 * Substitutes every string value in the tree (keys are left alone). Problems name the variable
 * and the key. With `allowMissing`, unset variables are left as written (used when editing a
 * config on a machine that does not hold the secrets).
 */
export function substituteTree(
  node: LNode,
  env: Readonly<Record<string, string | undefined>>,
  opts: { allowMissing?: boolean } = {},
  path: PathSegment[] = [],
  problems: Diagnostic[] = [],
): { tree: LNode; problems: Diagnostic[] } {
  if (node.kind === "object") {
    const entries = new Map<string, LNode>();
    for (const [k, v] of node.entries)
      entries.set(k, substituteTree(v, env, opts, [...path, k], problems).tree);
    return { tree: { ...node, entries }, problems };
  }
  if (node.kind === "array") {
    const items = node.items.map((v, i) => substituteTree(v, env, opts, [...path, i], problems).tree);
    return { tree: { ...node, items }, problems };
  }
  if (typeof node.value !== "string") return { tree: node, problems };
  const r = substituteString(node.value, env);
  for (const name of r.missing)
    if (!opts.allowMissing)
      problems.push(
        diagnosticAt(
          node.loc,
          path,
          `environment variable ${name} is not set (referenced as \${${name}}); set it in the environment or in a .env file`,
        ),
      );
  for (const bad of r.invalid)
    problems.push(
      diagnosticAt(
        node.loc,
        path,
        `"${bad}" is not a valid variable reference; use \${NAME} with NAME in [A-Z_][A-Z0-9_]*, or write $\${ for a literal "\${"`,
      ),
    );
  // an unresolved reference keeps its text so the schema does not add a second, misleading error
  const keep = r.missing.length > 0;
  return { tree: keep ? node : { ...node, value: r.value }, problems };
}
