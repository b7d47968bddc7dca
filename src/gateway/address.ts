/**
 * Address helpers shared by bind resolution, Host checks and trusted-proxy handling. Everything
 * is normalized first: IPv4-mapped IPv6 (`::ffff:127.0.0.1`) becomes IPv4, brackets and zone ids
 * go, `localhost.` loses its trailing dot.
 */
import { BlockList, isIP } from "node:net";

/** Canonical form of an IP or host name for comparisons. */
export function normalizeHost(raw: string): string {
  let h = raw.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  const zone = h.indexOf("%");
  if (zone >= 0 && isIP(h.slice(0, zone)) === 6) h = h.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(h);
  if (mapped?.[1] !== undefined) h = mapped[1];
  while (h.endsWith(".") && h.length > 1) h = h.slice(0, -1);
  return h;
}

/** Whether `host` (normalized or not) is a loopback address or the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = normalizeHost(host);
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/** Whether `ip` is an IPv4 address inside `base/prefix`. */
export function ipv4InCidr(ip: string, base: string, prefix: number): boolean {
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base);
  if (a === undefined || b === undefined) return false;
  if (prefix === 0) return true;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4ToInt(ip: string): number | undefined {
  if (isIP(ip) !== 4) return undefined;
  return ip.split(".").reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** Whether `ip` is in Tailscale's CGNAT range 100.64.0.0/10. */
export function isTailnetIpv4(ip: string): boolean {
  return ipv4InCidr(normalizeHost(ip), "100.64.0.0", 10);
}

/**
 * A matcher for `gateway.trustedProxies` entries (IPs or CIDRs, v4 or v6). Entries that are
 * neither are ignored (config validation reports them); an empty list trusts nobody.
 */
export function trustedProxyMatcher(entries: readonly string[] | undefined): (ip: string) => boolean {
  const list = new BlockList();
  let any = false;
  for (const entry of entries ?? []) {
    const [addrRaw, prefixRaw] = entry.split("/");
    const addr = normalizeHost(addrRaw ?? "");
    const family = isIP(addr);
    if (family === 0) continue;
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefixRaw === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(prefixRaw);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) continue;
      list.addSubnet(addr, prefix, type);
    }
    any = true;
  }
  return (ip) => {
    if (!any) return false;
    const addr = normalizeHost(ip);
    const family = isIP(addr);
    return family !== 0 && list.check(addr, family === 4 ? "ipv4" : "ipv6");
  };
}

/** Splits a Host header into name and optional port (`[::1]:80`, `a.b:18789`, `localhost`). */
export function parseHostHeader(raw: string): { host: string; port: number | undefined } | undefined {
  const value = raw.trim();
  if (value === "" || value.length > 255 || /[\s/@?#\\]/.test(value)) return undefined;
  let host = value;
  let portText: string | undefined;
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end < 0) return undefined;
    host = value.slice(0, end + 1);
    const rest = value.slice(end + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return undefined;
      portText = rest.slice(1);
    }
  } else {
    const colon = value.lastIndexOf(":");
    if (colon >= 0) {
      if (value.indexOf(":") !== colon) return undefined;
      host = value.slice(0, colon);
      portText = value.slice(colon + 1);
    }
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port > 65_535) return undefined;
  }
  const name = normalizeHost(host);
  return name === "" ? undefined : { host: name, port };
}
