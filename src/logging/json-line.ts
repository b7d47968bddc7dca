import { isSensitiveKey, REDACTED } from "./patterns.js";
import type { Redactor } from "./redact.js";

/**
 * Redacts one serialized JSON log line without breaking it: every string literal is decoded,
 * redacted as text and re-encoded; the value after a secret-named key is masked whole. A secret
 * that still shows across literals afterwards withholds the line's message.
 */
export function redactJsonLine(line: string, r: Redactor): string {
  let pendingKey = false;
  const out = line.replace(
    /("(?:[^"\\]|\\.)*")(\s*:)?|[^"]+|"/g,
    (tok: string, lit?: string, colon?: string) => {
      if (lit !== undefined) {
        const decoded = decodeLiteral(lit);
        if (colon !== undefined) {
          pendingKey = r.keyRules && decoded !== undefined && isSensitiveKey(decoded);
          return encodeLiteral(lit, decoded, r) + colon;
        }
        if (pendingKey) {
          pendingKey = false;
          return lit.length > 2 ? `"${REDACTED}"` : lit;
        }
        return encodeLiteral(lit, decoded, r);
      }
      if (pendingKey && /\S/.test(tok)) {
        pendingKey = false;
        return tok.replace(/^(\s*)-?[0-9][0-9.eE+-]*/, `$1"${REDACTED}"`);
      }
      return tok;
    },
  );
  const leaks = (t: string) => r.secretForms.some((f) => t.includes(f));
  if (!leaks(out)) return out;
  // A secret spans several literals (or the JSON structure itself): withhold the whole line.
  const nl = line.endsWith("\n") ? "\n" : "";
  const level = /^\{"level":(\d+)/.exec(line)?.[1];
  const candidates = [
    `{${level ? `"level":${level},` : ""}"msg":"${REDACTED}","redaction":"line withheld"}${nl}`,
    `{"msg":"${REDACTED}"}${nl}`,
  ];
  return candidates.find((c) => !leaks(c)) ?? r.text(line);
}

function decodeLiteral(lit: string): string | undefined {
  if (!lit.includes("\\")) return lit.slice(1, -1);
  try {
    return JSON.parse(lit) as string;
  } catch {
    return undefined;
  }
}

function encodeLiteral(lit: string, decoded: string | undefined, r: Redactor): string {
  if (decoded === undefined) return r.text(lit);
  const red = r.text(decoded);
  return red === decoded ? lit : JSON.stringify(red);
}
