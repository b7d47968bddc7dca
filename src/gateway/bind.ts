/**
 * Bind resolution and the start-up refusals that keep a gateway from listening where it should
 * not: an unknown tailnet address, a public bind without real auth, Funnel without a password.
 */

import { isIP } from "node:net";
import type { NetworkInterfaceInfo } from "node:os";
import type { GatewayConfig } from "../config/schema/gateway.js";
import { fail } from "../core/errors.js";
import { isLoopbackHost, isTailnetIpv4, normalizeHost } from "./address.js";

/** Minimum length of a shared token when the gateway listens beyond loopback. */
export const MIN_REMOTE_TOKEN_LENGTH = 32;

/** Injected `os.networkInterfaces`. */
export type InterfacesFn = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/** What bind resolution needs. */
export interface BindInput {
  readonly gateway: GatewayConfig;
  readonly auth: { readonly token?: string | undefined; readonly password?: string | undefined };
  readonly interfaces: InterfacesFn;
  /** Explicit host (tests, CLI `--bind-host`); still subject to every safety check. */
  readonly hostOverride?: string | undefined;
}

/** The address to listen on and whether it is loopback-only. */
export interface ResolvedBind {
  readonly host: string;
  readonly loopback: boolean;
}

const PLACEHOLDERS = new Set([
  "changeme",
  "change-me",
  "change_me",
  "password",
  "passw0rd",
  "secret",
  "token",
  "your-token",
  "your_token",
  "yourtoken",
  "your-password",
  "placeholder",
  "example",
  "replace-me",
  "replaceme",
  "todo",
  "xxx",
  "test",
  "admin",
]);

/** Whether a secret is missing, a template left unresolved, or an obvious placeholder. */
export function isPlaceholderSecret(secret: string | undefined): boolean {
  if (secret === undefined) return true;
  const s = secret.trim().toLowerCase();
  if (s === "") return true;
  if (s.includes("${") || (s.startsWith("<") && s.endsWith(">"))) return true;
  if (PLACEHOLDERS.has(s)) return true;
  if (/change[-_]?me|replace[-_]?me|your[-_]?(token|password|secret)/.test(s)) return true;
  return /^(.)\1*$/.test(s);
}

function tailnetAddress(interfaces: InterfacesFn): string | undefined {
  for (const list of Object.values(interfaces())) {
    for (const info of list ?? []) {
      if (info.family === "IPv4" && isTailnetIpv4(info.address)) return info.address;
    }
  }
  return undefined;
}

function unsafe(detail: string): Error {
  return fail("PAL_GATEWAY_UNSAFE_BIND", { detail });
}

function pickHost(input: BindInput): string {
  const { gateway } = input;
  if (input.hostOverride !== undefined) return normalizeHost(input.hostOverride);
  switch (gateway.bind) {
    case "loopback":
      return "127.0.0.1";
    case "lan":
      return "0.0.0.0";
    case "tailnet": {
      const addr = tailnetAddress(input.interfaces);
      if (addr === undefined) {
        throw unsafe(
          "gateway.bind is tailnet but no interface has a Tailscale address (100.64.0.0/10); start Tailscale or use bind loopback",
        );
      }
      return addr;
    }
    case "custom": {
      const h = gateway.customBindHost === undefined ? "" : normalizeHost(gateway.customBindHost);
      if (h === "" || isIP(h) === 0) {
        throw unsafe("gateway.bind is custom but gateway.customBindHost is not an IP address; set it");
      }
      return h;
    }
    case "auto":
      return tailnetAddress(input.interfaces) ?? "127.0.0.1";
  }
}

/**
 * Resolves the listen address and refuses unsafe combinations with PAL_GATEWAY_UNSAFE_BIND.
 * Loopback binds still need a configured secret for token/password mode; non-loopback binds
 * need a real one (no `none`, no placeholder, tokens at least 32 characters).
 */
export function resolveBind(input: BindInput): ResolvedBind {
  const { gateway, auth } = input;
  const mode = gateway.auth?.mode ?? "token";
  if (gateway.tailscale?.mode === "funnel" && mode !== "password") {
    throw unsafe("tailscale funnel exposes the gateway publicly and requires gateway.auth.mode password");
  }
  if (mode === "token" && (auth.token === undefined || auth.token === "")) {
    throw unsafe("gateway.auth.mode is token but no token is configured; set gateway.auth.token");
  }
  if (mode === "password" && (auth.password === undefined || auth.password === "")) {
    throw unsafe("gateway.auth.mode is password but no password is configured; set gateway.auth.password");
  }
  const host = pickHost(input);
  const loopback = isLoopbackHost(host);
  if (loopback) return { host, loopback };
  const where = `binding ${host} (gateway.bind ${gateway.bind}) beyond loopback`;
  if (mode === "none") throw unsafe(`${where} with gateway.auth.mode none; configure token or password auth`);
  if (mode === "token") {
    if (isPlaceholderSecret(auth.token))
      throw unsafe(`${where} with a placeholder token; generate a random one`);
    if ((auth.token ?? "").length < MIN_REMOTE_TOKEN_LENGTH) {
      throw unsafe(
        `${where} with a token shorter than ${MIN_REMOTE_TOKEN_LENGTH} characters; use 32 random bytes`,
      );
    }
  }
  if (mode === "password" && isPlaceholderSecret(auth.password)) {
    throw unsafe(`${where} with a placeholder password; choose a real one`);
  }
  if (mode === "trusted-proxy" && (gateway.trustedProxies ?? []).length === 0) {
    throw unsafe(`${where} with trusted-proxy auth but no gateway.trustedProxies; list your proxy addresses`);
  }
  return { host, loopback };
}
