/**
 * Browser-attack guards. Host must name this gateway (DNS rebinding: a hostile name resolving to
 * 127.0.0.1 still sends its own name in Host). Origin, when a browser sends one, must be this
 * gateway's own origin or one listed in `gateway.controlUi.allowedOrigins` (cross-site WebSocket
 * hijacking: a page elsewhere opening a socket to us with the user's ambient access).
 */
import { isIP } from "node:net";
import { normalizeHost, parseHostHeader } from "./address.js";

/** Which Host names and Origins this gateway answers to. */
export interface OriginPolicy {
  /** Normalized host names accepted in Host. */
  readonly hosts: ReadonlySet<string>;
  /** Normalized origins (`scheme://host[:port]`) accepted besides our own. */
  readonly origins: ReadonlySet<string>;
}

/** Builds the policy from the bound address, extra names and allowed origins. */
export function buildOriginPolicy(input: {
  readonly boundHost: string;
  readonly extraHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
  /** Local interface addresses, used when bound to a wildcard address. */
  readonly interfaceAddresses: readonly string[];
}): OriginPolicy {
  const hosts = new Set<string>(["localhost", "127.0.0.1", "::1"]);
  const bound = normalizeHost(input.boundHost);
  if (bound === "0.0.0.0" || bound === "::") {
    for (const a of input.interfaceAddresses) hosts.add(normalizeHost(a));
  } else hosts.add(bound);
  for (const h of input.extraHosts) hosts.add(normalizeHost(h));
  const origins = new Set<string>();
  for (const o of input.allowedOrigins) {
    const n = normalizeOrigin(o);
    if (n === undefined) continue;
    origins.add(n);
    const parsed = parseHostHeader(new URL(n).host);
    if (parsed !== undefined) hosts.add(parsed.host);
  }
  return { hosts, origins };
}

/** `scheme://host[:port]` of an http(s) origin, or undefined when it is not one. */
export function normalizeOrigin(raw: string): string | undefined {
  if (raw.length > 2048) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    return u.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Whether the Host header names this gateway. A missing Host (HTTP/1.0) is refused. */
export function hostAllowed(hostHeader: string | undefined, policy: OriginPolicy): boolean {
  if (hostHeader === undefined) return false;
  const parsed = parseHostHeader(hostHeader);
  if (parsed === undefined) return false;
  if (policy.hosts.has(parsed.host)) return true;
  return isIP(parsed.host) === 4 && parsed.host.startsWith("127.");
}

/**
 * Whether an Origin may talk to us: absent (not a browser), same origin as the Host it sent,
 * or explicitly allowed. `null` and non-http origins are refused.
 */
export function originAllowed(
  originHeader: string | undefined,
  hostHeader: string | undefined,
  policy: OriginPolicy,
): boolean {
  if (originHeader === undefined) return true;
  const origin = normalizeOrigin(originHeader);
  if (origin === undefined) return false;
  if (policy.origins.has(origin)) return true;
  if (hostHeader === undefined) return false;
  const host = parseHostHeader(hostHeader);
  if (host === undefined) return false;
  const u = new URL(origin);
  const originHost = normalizeHost(u.hostname);
  const originPort = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port);
  const hostPort = host.port ?? (u.protocol === "https:" ? 443 : 80);
  return originHost === host.host && originPort === hostPort && policy.hosts.has(host.host);
}
