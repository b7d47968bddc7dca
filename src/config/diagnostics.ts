import { formatPath } from "./config-path.js";
import type { Loc, PathSegment } from "./tree.js";

/**
 * One config problem. `text` is the line the CLI prints:
 * `FILE:LINE:COL path.to.key: what is wrong; how to fix`.
 */
export interface Diagnostic {
  /** File the problem is in (an included file when it came from there). */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly col?: number;
  /** Dot path of the key (`gateway.port`); empty for file-level problems. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /** The formatted line. */
  readonly text: string;
}

/** Builds a diagnostic and its formatted text. */
export function makeDiagnostic(p: {
  file: string;
  line?: number | undefined;
  col?: number | undefined;
  path: readonly PathSegment[];
  message: string;
}): Diagnostic {
  const path = formatPath(p.path);
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.col ?? 1}`;
  const text = path === "" ? `${where}: ${p.message}` : `${where} ${path}: ${p.message}`;
  const d: Diagnostic = { file: p.file, path, message: p.message, text };
  return p.line === undefined ? d : { ...d, line: p.line, col: p.col ?? 1 };
}

/** A diagnostic at a located node. */
export function diagnosticAt(loc: Loc, path: readonly PathSegment[], message: string): Diagnostic {
  return makeDiagnostic({ file: loc.file, line: loc.line, col: loc.col, path, message });
}

/** Edit distance where a swap of two neighbours counts as one edit ("prot" -> "port" is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++)
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * cols + j] = v;
    }
  return at(a.length, b.length);
}

/**
 * The closest candidate to a misspelt word, if it is close enough to be a likely typo
 * (distance at most a third of the word, at least 1; case differences count as near).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  return bestD <= limit ? best : undefined;
}
