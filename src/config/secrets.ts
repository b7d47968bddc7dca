import { formatPath } from "./config-path.js";
import type { PathSegment } from "./tree.js";

/**
 * What `config.get` shows instead of a secret value. Sending it back unchanged in `config.apply`
 * or `config.patch` keeps the current value, so a client can round-trip a redacted config.
 */
export const REDACTED = "__PALISADE_REDACTED__";

/** Keys whose values are secrets: tokens, passwords, API keys, bot tokens, webhook secrets. */
const SECRET_KEY = /(^|[-_])?(token|password|passwd|secret|apikey|api_key|privatekey|private_key)$/i;

/** Whether a config key holds a secret (`token`, `botToken`, `apiKey`, `webhookSecret`, ...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !/file$/i.test(key);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every secret-keyed path in a value, with whether it is set (a non-empty value). */
export function secretPaths(value: unknown): { path: PathSegment[]; set: boolean }[] {
  const out: { path: PathSegment[]; set: boolean }[] = [];
  const walk = (v: unknown, path: PathSegment[]) => {
    if (Array.isArray(v)) for (const [i, item] of v.entries()) walk(item, [...path, i]);
    else if (isObject(v))
      for (const [k, child] of Object.entries(v)) {
        if (isSecretKey(k) && (typeof child === "string" || child === null || typeof child === "number"))
          out.push({ path: [...path, k], set: child !== null && String(child) !== "" });
        else walk(child, [...path, k]);
      }
  };
  walk(value, []);
  return out;
}

/**
 * A deep copy of `value` with every set secret replaced by {@link REDACTED}, and a map of each
 * secret's path to "set" or "unset".
 */
export function redactConfigValue(value: unknown): {
  value: unknown;
  secrets: Record<string, "set" | "unset">;
} {
  const copy = structuredClone(value);
  const secrets: Record<string, "set" | "unset"> = {};
  for (const { path, set } of secretPaths(copy)) {
    secrets[formatPath(path)] = set ? "set" : "unset";
    if (!set) continue;
    let node: unknown = copy;
    for (const seg of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[seg];
    (node as Record<string | number, unknown>)[path[path.length - 1] as string | number] = REDACTED;
  }
  return { value: copy, secrets };
}

/** Paths where `value` holds {@link REDACTED} (the client sent a redacted value back). */
export function redactedPaths(value: unknown): PathSegment[][] {
  const out: PathSegment[][] = [];
  const walk = (v: unknown, path: PathSegment[]) => {
    if (v === REDACTED) out.push(path);
    else if (Array.isArray(v)) for (const [i, item] of v.entries()) walk(item, [...path, i]);
    else if (isObject(v)) for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
  };
  walk(value, []);
  return out;
}
