/** Plain-value helpers for the config form: path reads and writes, and RFC 7396 merge patches. */

/** A JSON object. */
export type JsonObject = { [k: string]: unknown };

/** Whether `v` is a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path`, or undefined. */
export function getPath(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const k of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Sets (or with undefined, deletes) the value at `path`, creating objects on the way. */
export function setPath(root: JsonObject, path: readonly string[], value: unknown): void {
  let cur = root;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (!isObject(next)) cur[k] = {};
    cur = cur[k] as JsonObject;
  }
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/**
 * The merge patch that turns `from` into `to`: changed values, `null` for removed keys, nested
 * objects diffed key by key. Undefined when nothing changed.
 */
export function diffPatch(from: unknown, to: unknown): unknown {
  if (isObject(from) && isObject(to)) {
    const patch: JsonObject = {};
    for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
    for (const [k, v] of Object.entries(to)) {
      const d = diffPatch(from[k], v);
      if (d !== undefined) patch[k] = d;
    }
    return Object.keys(patch).length === 0 ? undefined : patch;
  }
  if (JSON.stringify(from) === JSON.stringify(to)) return undefined;
  return to === undefined ? null : to;
}
