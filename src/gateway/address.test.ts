import { describe, expect, it } from "vitest";
import {
  isLoopbackHost,
  isTailnetIpv4,
  normalizeHost,
  parseHostHeader,
  trustedProxyMatcher,
} from "./address.js";

describe("address helpers", () => {
  it("normalizes IPv4-mapped IPv6, brackets, zones and trailing dots", () => {
    expect(normalizeHost("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeHost("[::1]")).toBe("::1");
    expect(normalizeHost("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeHost("LocalHost.")).toBe("localhost");
  });

  it("knows loopback and tailnet addresses", () => {
    for (const h of ["127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1", "localhost", "localhost."])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "10.0.0.1", "::", "localhost.evil.example", "128.0.0.1"])
      expect(isLoopbackHost(h), h).toBe(false);
    expect(isTailnetIpv4("100.64.0.1")).toBe(true);
    expect(isTailnetIpv4("100.127.255.254")).toBe(true);
    expect(isTailnetIpv4("100.128.0.1")).toBe(false);
  });

  it("parses Host headers and rejects junk", () => {
    expect(parseHostHeader("127.0.0.1:18789")).toEqual({ host: "127.0.0.1", port: 18789 });
    expect(parseHostHeader("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseHostHeader("localhost.")).toEqual({ host: "localhost", port: undefined });
    for (const bad of ["", "a b", "evil@127.0.0.1", "::1", "h:99999", "h:x", "[::1", "a/b"])
      expect(parseHostHeader(bad), bad).toBeUndefined();
  });

  it("matches trusted proxies by address or CIDR, mapped or not", () => {
    const m = trustedProxyMatcher(["10.0.0.0/8", "::ffff:192.168.1.1", "fd00::1", "junk", "1.2.3.4/99"]);
    expect(m("10.2.3.4")).toBe(true);
    expect(m("::ffff:10.2.3.4")).toBe(true);
    expect(m("192.168.1.1")).toBe(true);
    expect(m("fd00::1")).toBe(true);
    expect(m("1.2.3.4")).toBe(false);
    expect(m("11.0.0.1")).toBe(false);
    expect(trustedProxyMatcher(undefined)("127.0.0.1")).toBe(false);
  });
});
