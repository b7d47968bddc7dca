/**
 * Classifies IP addresses for the SSRF guard: only globally routable unicast is public.
 * IPv4: every special-purpose block (RFC 6890 and successors) is refused. IPv6: only 2000::/3
 * is considered, minus documentation, Teredo/ORCHID/benchmarking (2001::/23), and 6to4 or
 * NAT64 prefixes whose embedded IPv4 address is not public; IPv4-mapped and -compatible
 * addresses, ULA, link-local, site-local, multicast, loopback and unspecified are refused.
 */
import { isIPv4, isIPv6 } from "node:net";

/** Parses dotted-quad IPv4 into a 32-bit number; undefined when not strict dotted-quad. */
export function parseIPv4(s: string): number | undefined {
  if (!isIPv4(s)) return undefined;
  const p = s.split(".").map(Number);
  if (p.length !== 4) return undefined;
  return (((p[0] ?? 0) << 24) >>> 0) + ((p[1] ?? 0) << 16) + ((p[2] ?? 0) << 8) + (p[3] ?? 0);
}

/** Parses IPv6 (with optional embedded IPv4; zone ids refused) into eight 16-bit words. */
export function parseIPv6(s: string): number[] | undefined {
  if (s.includes("%") || !isIPv6(s)) return undefined;
  let text = s.toLowerCase();
  const lastColon = text.lastIndexOf(":");
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes(".")) {
    const v4 = parseIPv4(maybeV4);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const toWords = (h: string) => (h === "" ? [] : h.split(":").map((w) => Number.parseInt(w, 16)));
  const head = toWords(halves[0] ?? "");
  const rest = halves.length > 1 ? toWords(halves[1] ?? "") : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length > 1 && fill < 1) return undefined;
  const all = halves.length > 1 ? [...head, ...new Array<number>(fill).fill(0), ...rest] : head;
  if (all.length !== 8 || all.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return undefined;
  return all;
}

const V4_BLOCKED: ReadonlyArray<readonly [number, number, string]> = [
  [0x00000000, 8, "this network (0.0.0.0/8)"],
  [0x0a000000, 8, "private (10.0.0.0/8)"],
  [0x64400000, 10, "carrier-grade NAT (100.64.0.0/10)"],
  [0x7f000000, 8, "loopback (127.0.0.0/8)"],
  [0xa9fe0000, 16, "link-local / cloud metadata (169.254.0.0/16)"],
  [0xac100000, 12, "private (172.16.0.0/12)"],
  [0xc0000000, 24, "IETF protocol assignments (192.0.0.0/24)"],
  [0xc0000200, 24, "documentation (192.0.2.0/24)"],
  [0xc0586300, 24, "6to4 relay anycast (192.88.99.0/24)"],
  [0xc0a80000, 16, "private (192.168.0.0/16)"],
  [0xc6120000, 15, "benchmarking (198.18.0.0/15)"],
  [0xc6336400, 24, "documentation (198.51.100.0/24)"],
  [0xcb007100, 24, "documentation (203.0.113.0/24)"],
  [0xe0000000, 4, "multicast (224.0.0.0/4)"],
  [0xf0000000, 4, "reserved and broadcast (240.0.0.0/4)"],
];

/** Why an IPv4 address (as a number) is not public, or undefined when it is. */
export function ipv4Block(n: number): string | undefined {
  for (const [base, bits, why] of V4_BLOCKED) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === base) return why;
  }
  return undefined;
}

const v4of = (hi: number, lo: number) => ((hi << 16) >>> 0) + lo;

/** Why an IPv6 address (eight words) is not public, or undefined when it is. */
export function ipv6Block(w: readonly number[]): string | undefined {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = w;
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0) {
    if (f === 0xffff) return "IPv4-mapped IPv6 (::ffff:0:0/96)";
    if (f === 0 && g === 0 && h === 0) return "unspecified (::)";
    if (f === 0 && g === 0 && h === 1) return "loopback (::1)";
    return "IPv4-compatible or reserved IPv6 (::/80)";
  }
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) {
    const inner = ipv4Block(v4of(g, h));
    return inner === undefined ? undefined : `NAT64 of a non-public IPv4 address: ${inner}`;
  }
  if (a === 0x64 && b === 0xff9b && c === 1) return "local-use NAT64 (64:ff9b:1::/48)";
  if ((a & 0xe000) !== 0x2000) {
    if ((a & 0xfe00) === 0xfc00) return "unique local (fc00::/7)";
    if ((a & 0xffc0) === 0xfe80) return "link-local (fe80::/10)";
    if ((a & 0xffc0) === 0xfec0) return "site-local (fec0::/10)";
    if ((a & 0xff00) === 0xff00) return "multicast (ff00::/8)";
    return "not global unicast (outside 2000::/3)";
  }
  if (a === 0x2001 && b < 0x200) return "IETF protocol assignments incl. Teredo (2001::/23)";
  if (a === 0x2001 && b === 0xdb8) return "documentation (2001:db8::/32)";
  if (a === 0x3fff && b < 0x1000) return "documentation (3fff::/20)";
  if (a === 0x2002) {
    const inner = ipv4Block(v4of(b, c));
    return inner === undefined ? undefined : `6to4 of a non-public IPv4 address: ${inner}`;
  }
  return undefined;
}

/** Why an address is not public (loopback, private, metadata, mapped, ...), or undefined when it is. */
export function nonPublicReason(address: string): string | undefined {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return ipv4Block(v4);
  const v6 = parseIPv6(address);
  if (v6 !== undefined) return ipv6Block(v6);
  return "not an IP address";
}

/** True only for globally routable unicast addresses. */
export function isPublicAddress(address: string): boolean {
  return nonPublicReason(address) === undefined;
}
