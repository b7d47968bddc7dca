/**
 * Who is calling and did they prove it: client address resolution (trusted proxies only), shared
 * secret checks in constant time, trusted-proxy identity headers, and credentials in URLs.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isLoopbackHost, normalizeHost } from "./address.js";
import type { AuthMethod } from "./scopes.js";

/** Resolved auth settings: mode, secrets and trusted-proxy rules. */
export interface AuthSettings {
  readonly mode: AuthMethod;
  readonly token: string | undefined;
  readonly password: string | undefined;
  /** Header carrying the proxy-authenticated user (lowercase). */
  readonly userHeader: string;
  readonly requiredHeaders: readonly string[];
  readonly allowUsers: readonly string[];
  readonly isTrustedProxy: (ip: string) => boolean;
}

/** The caller as the gateway sees it. */
export interface ClientIdentity {
  /** Socket peer address, normalized. */
  readonly remoteAddress: string;
  /** The real client: the peer, or the nearest untrusted X-Forwarded-For hop behind a trusted proxy. */
  readonly clientAddress: string;
  /** The peer is a configured trusted proxy. */
  readonly viaTrustedProxy: boolean;
  /** A direct loopback caller: loopback peer, and no forwarding headers from an untrusted hop. */
  readonly isLocal: boolean;
}

const FORWARD_HEADERS = ["x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host"] as const;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Resolves the client address. X-Forwarded-For is read only when the peer is a trusted proxy,
 * walking from the right past trusted hops; otherwise it is ignored. A loopback peer that sends
 * forwarding headers is a proxy we do not trust, so it is not treated as local.
 */
export function resolveClient(
  remote: string | undefined,
  headers: IncomingHttpHeaders,
  isTrustedProxy: (ip: string) => boolean,
): ClientIdentity {
  const remoteAddress = normalizeHost(remote ?? "");
  const forwarded = FORWARD_HEADERS.some((h) => header(headers, h) !== undefined);
  if (remoteAddress !== "" && isTrustedProxy(remoteAddress)) {
    const hops = (header(headers, "x-forwarded-for") ?? "")
      .split(",")
      .map((s) => normalizeHost(s))
      .filter((s) => s !== "");
    let client: string | undefined;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i];
      if (hop !== undefined && !isTrustedProxy(hop)) {
        client = hop;
        break;
      }
    }
    const real = header(headers, "x-real-ip");
    client ??= real === undefined ? undefined : normalizeHost(real);
    const clientAddress = client ?? remoteAddress;
    return {
      remoteAddress,
      clientAddress,
      viaTrustedProxy: true,
      isLocal: client !== undefined && isLoopbackHost(client),
    };
  }
  return {
    remoteAddress,
    clientAddress: remoteAddress,
    viaTrustedProxy: false,
    isLocal: isLoopbackHost(remoteAddress) && !forwarded,
  };
}

/** Constant-time string equality over SHA-256 digests (equal length regardless of input). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}

/** What the client presented. */
export interface PresentedCredentials {
  readonly token?: string | undefined;
  readonly password?: string | undefined;
}

/** Auth result: the method that succeeded, or OpenClaw's auth detail code. */
export type AuthOutcome =
  | { readonly ok: true; readonly method: AuthMethod; readonly user?: string }
  | { readonly ok: false; readonly detailCode: string; readonly detail: string };

function checkSecret(
  expected: string | undefined,
  given: string | undefined,
  kind: "TOKEN" | "PASSWORD",
): AuthOutcome {
  const method = kind === "TOKEN" ? "token" : "password";
  if (expected === undefined || expected === "") {
    return { ok: false, detailCode: `AUTH_${kind}_NOT_CONFIGURED`, detail: `no ${method} is configured` };
  }
  if (given === undefined || given === "") {
    return { ok: false, detailCode: `AUTH_${kind}_MISSING`, detail: `${method} missing` };
  }
  if (!safeEqual(given, expected)) {
    return { ok: false, detailCode: `AUTH_${kind}_MISMATCH`, detail: `${method} mismatch` };
  }
  return { ok: true, method };
}

/**
 * Verifies a caller against the configured mode. In token mode either field may carry the token
 * and in password mode either may carry the password (the mode picks the secret, as in OpenClaw).
 * Trusted-proxy identity headers count only when the socket peer is a trusted proxy.
 */
export function verifyCredentials(
  settings: AuthSettings,
  presented: PresentedCredentials,
  client: ClientIdentity,
  headers: IncomingHttpHeaders,
): AuthOutcome {
  switch (settings.mode) {
    case "none":
      return { ok: true, method: "none" };
    case "token":
      return checkSecret(settings.token, presented.token || presented.password, "TOKEN");
    case "password":
      return checkSecret(settings.password, presented.password || presented.token, "PASSWORD");
    case "trusted-proxy": {
      if (!client.viaTrustedProxy) {
        return {
          ok: false,
          detailCode: "AUTH_UNAUTHORIZED",
          detail: "request did not come from a trusted proxy",
        };
      }
      for (const name of settings.requiredHeaders) {
        if (header(headers, name.toLowerCase()) === undefined) {
          return {
            ok: false,
            detailCode: "AUTH_IDENTITY_HEADER_REQUIRED",
            detail: `proxy header ${name} missing`,
          };
        }
      }
      const user = header(headers, settings.userHeader)?.trim();
      if (user === undefined || user === "" || user.length > 256) {
        return {
          ok: false,
          detailCode: "AUTH_IDENTITY_HEADER_REQUIRED",
          detail: "proxy identity header missing",
        };
      }
      if (settings.allowUsers.length > 0 && !settings.allowUsers.includes(user)) {
        return { ok: false, detailCode: "AUTH_UNAUTHORIZED", detail: "proxy user not allowed" };
      }
      return { ok: true, method: "trusted-proxy", user };
    }
  }
}

/** Credentials from HTTP headers: `Authorization: Bearer <secret>` or Basic (password). */
export function credentialsFromHeaders(headers: IncomingHttpHeaders): PresentedCredentials {
  const value = header(headers, "authorization")?.trim() ?? "";
  const bearer = /^bearer\s+(.+)$/i.exec(value);
  if (bearer?.[1] !== undefined) return { token: bearer[1].trim() };
  const basic = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return { password: colon >= 0 ? decoded.slice(colon + 1) : decoded };
  }
  return {};
}

const SECRET_PARAM =
  /^(token|password|passwd|pwd|pass|secret|access[-_]?token|auth[-_]?token|gateway[-_]?token|api[-_]?key|bearer|auth)$/i;

/**
 * Whether a request URL carries a credential in its query string: a parameter named like one,
 * or any value equal to a configured secret. Such requests are refused (400), never accepted.
 */
export function hasSecretInQuery(url: string, secrets: readonly (string | undefined)[]): boolean {
  const q = url.indexOf("?");
  if (q < 0) return false;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(url.slice(q + 1));
  } catch {
    return true;
  }
  for (const [key, value] of params) {
    if (SECRET_PARAM.test(key)) return true;
    for (const s of secrets) if (s !== undefined && s !== "" && safeEqual(value, s)) return true;
  }
  return false;
}
