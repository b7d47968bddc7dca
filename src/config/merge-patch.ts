import { isDeepStrictEqual } from "node:util";
import { setConfigText, unsetConfigText } from "./edit.js";
import type { PathSegment } from "./tree.js";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps "__proto__" an ordinary key instead of changing the prototype
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * RFC 7396 JSON merge patch: objects merge key by key, `null` deletes a key, anything else
 * (arrays included) replaces. Returns a new value; inputs are not changed.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = {};
  if (isObject(target)) for (const [k, v] of Object.entries(target)) define(out, k, structuredClone(v));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else define(out, k, applyMergePatch(Object.hasOwn(out, k) ? out[k] : undefined, v));
  }
  return out;
}

/**
 * Applies a merge patch to config text with the comment-preserving editor: each leaf of the
 * patch becomes one set or unset at its path, so keys the patch does not touch keep their
 * comments and formatting. `current` is the file's value (as written) the patch is based on.
 */
export function mergePatchText(text: string, current: unknown, patch: Record<string, unknown>): string {
  let out = text;
  const walk = (cur: unknown, p: Record<string, unknown>, path: PathSegment[]) => {
    for (const [k, v] of Object.entries(p)) {
      const here = [...path, k];
      const existing = isObject(cur) && Object.hasOwn(cur, k) ? cur[k] : undefined;
      if (v === null) {
        if (existing !== undefined) out = unsetConfigText(out, here);
      } else if (isObject(v) && isObject(existing)) walk(existing, v, here);
      else {
        const next = applyMergePatch(undefined, v);
        if (!isDeepStrictEqual(existing, next)) out = setConfigText(out, here, next);
      }
    }
  };
  walk(current, patch, []);
  return out;
}
