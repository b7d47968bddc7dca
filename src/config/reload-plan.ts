import { isDeepStrictEqual } from "node:util";
import { formatPath } from "./config-path.js";
import type { PathSegment } from "./tree.js";

/** How a changed config path takes effect in a running gateway. */
export type ReloadClass = "hot" | "restart";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Dot paths (see `formatPath`) whose values differ between two configs. Objects are compared
 * key by key (an added or removed object is reported by its leaves); arrays and scalars as a
 * whole (an array that changed is one path).
 */
export function changedPaths(before: unknown, after: unknown): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: PathSegment[]) => {
    const objA = isObject(a) || (a === undefined && isObject(b));
    const objB = isObject(b) || (b === undefined && isObject(a));
    if (objA && objB) {
      const x = (a ?? {}) as Record<string, unknown>;
      const y = (b ?? {}) as Record<string, unknown>;
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk(x[k], y[k], [...path, k]);
    } else if (!isDeepStrictEqual(a, b)) out.push(path.length === 0 ? "(root)" : formatPath(path));
  };
  walk(before, after, []);
  return out.sort();
}

/**
 * Prefixes applied in place (no restart): who may talk to the agent and what it may do, how it
 * logs, what it is told. Everything else restarts the gateway's subsystems, and anything not
 * listed here is restart-class, so a new key is never silently half-applied.
 */
const HOT_PREFIXES = [
  "channels",
  "bindings",
  "access",
  "session",
  "tools",
  "agents",
  "models",
  "logging.level",
  "logging.consoleLevel",
  "gateway.reload",
  "meta",
  "wizard",
  "$schema",
] as const;

/**
 * Restart-class prefixes, listed for readers: bind, port, auth, TLS, proxies, UI origins, frame
 * limits, discovery, and logging's file and redaction (built once at start).
 */
export const RESTART_PREFIXES = [
  "gateway.port",
  "gateway.bind",
  "gateway.customBindHost",
  "gateway.auth",
  "gateway.tls",
  "gateway.trustedProxies",
  "gateway.tailscale",
  "gateway.controlUi",
  "gateway.mode",
  "gateway.remote",
  "gateway.maxPayloadBytes",
  "gateway.maxBodyBytes",
  "discovery",
  "logging.file",
  "logging.redactSensitive",
  "logging.redactPatterns",
] as const;

const under = (path: string, prefix: string) =>
  path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

/** The class of one changed path: hot when under a hot prefix, else restart. */
export function classifyPath(path: string): ReloadClass {
  return HOT_PREFIXES.some((p) => under(path, p)) ? "hot" : "restart";
}

/** What a config change needs: the changed paths split by class. */
export interface ReloadPlan {
  readonly changed: string[];
  readonly hot: string[];
  readonly restart: string[];
}

/** Plans the reload from the old to the new config (validated values). */
export function planReload(before: unknown, after: unknown): ReloadPlan {
  const changed = changedPaths(before, after);
  return {
    changed,
    hot: changed.filter((p) => classifyPath(p) === "hot"),
    restart: changed.filter((p) => classifyPath(p) === "restart"),
  };
}
