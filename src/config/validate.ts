import { dirname, resolve } from "node:path";
import { type Diagnostic, diagnosticAt } from "./diagnostics.js";
import { substituteTree } from "./env.js";
import { resolveIncludes } from "./include.js";
import { OPENCLAW_UNSUPPORTED_SECTIONS, unsupportedMessage } from "./openclaw-keys.js";
import { parseJson5 } from "./parse.js";
import { configSchema, type PalisadeConfig } from "./schema/root.js";
import { type LNode, toValue } from "./tree.js";
import { issuesToDiagnostics } from "./zod-issues.js";

/** Options for {@link validateConfigText}. */
export interface ValidateOptions {
  /**
   * Leave `${VAR}` of unset variables as written instead of reporting them. Default false; the
   * CLI's set/unset use true so a config can be edited where the secrets are not present.
   */
  readonly allowMissingEnv?: boolean;
  /**
   * Directories `$include` files must stay inside. Default: the config file's directory plus
   * the entries of `PALISADE_INCLUDE_ROOTS` (path-list separated) in `env`.
   */
  readonly includeRoots?: readonly string[];
}

/** Outcome of validation: the config, or every problem found. */
export type ValidationResult =
  | { readonly ok: true; readonly config: PalisadeConfig; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly Diagnostic[] };

/**
 * Parses config text and resolves its `$include`s into a located tree, without substituting
 * variables: what `config get` shows ("as written"). Problems are syntax and include errors.
 */
export function readRawTree(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  opts: ValidateOptions = {},
): { tree: LNode | undefined; value: unknown; problems: Diagnostic[] } {
  const parsed = parseJson5(text, file);
  if (!parsed.ok) return { tree: undefined, value: undefined, problems: [parsed.problem] };
  const roots =
    opts.includeRoots ??
    [dirname(file), ...(env.PALISADE_INCLUDE_ROOTS ?? "").split(process.platform === "win32" ? ";" : ":")]
      .filter((r) => r !== "")
      .map((r) => resolve(r));
  const { tree, problems } = resolveIncludes(parsed.tree, file, { roots });
  return { tree, value: toValue(tree), problems };
}

/** Removes top-level OpenClaw sections Palisade does not support, reporting each. */
function dropUnsupported(tree: LNode, problems: Diagnostic[]): LNode {
  if (tree.kind !== "object") return tree;
  const entries = new Map(tree.entries);
  for (const [k, v] of tree.entries)
    if (OPENCLAW_UNSUPPORTED_SECTIONS.has(k)) {
      problems.push(diagnosticAt(v.loc, [k], unsupportedMessage(k)));
      entries.delete(k);
    }
  return { ...tree, entries };
}

/**
 * Validates config text as if it were the file `file` (which names the file in diagnostics and
 * anchors relative `$include` paths): JSON5 syntax, includes, `${VAR}` substitution from `env`,
 * unsupported OpenClaw keys, the schema and the cross-field rules. Every problem is reported,
 * sorted by file position. Never throws for a bad config; for the CLI and the config RPCs.
 */
export function validateConfigText(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  opts: ValidateOptions = {},
): ValidationResult {
  const raw = readRawTree(text, file, env, opts);
  if (!raw.tree) return { ok: false, problems: raw.problems };
  const problems = [...raw.problems];
  const kept = dropUnsupported(raw.tree, problems);
  const sub = substituteTree(kept, env, { allowMissing: opts.allowMissingEnv === true });
  problems.push(...sub.problems);
  const parsed = configSchema.safeParse(toValue(sub.tree));
  if (!parsed.success) problems.push(...issuesToDiagnostics(parsed.error.issues, sub.tree));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems: orderProblems(problems, file) };
  return { ok: true, config: parsed.data, problems: [] };
}

/** Main file first, then included files in the order first seen; by line and column within each. */
function orderProblems(list: Diagnostic[], mainFile: string): Diagnostic[] {
  const order = new Map<string, number>([[mainFile, 0]]);
  for (const d of list) if (!order.has(d.file)) order.set(d.file, order.size);
  const seen = new Set<string>();
  return [...list]
    .sort(
      (a, b) =>
        (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) ||
        (a.line ?? 0) - (b.line ?? 0) ||
        (a.col ?? 0) - (b.col ?? 0),
    )
    .filter((d) => {
      if (seen.has(d.text)) return false;
      seen.add(d.text);
      return true;
    });
}
