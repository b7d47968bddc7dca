import type { NetworkInterfaceInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { gatewaySchema } from "../config/schema/gateway.js";
import { isPlaceholderSecret, resolveBind } from "./bind.js";

const TOKEN = `${"f".repeat(16)}0123456789abcdef0123456789abcdef`;
const iface = (address: string): NetworkInterfaceInfo => ({
  address,
  family: "IPv4",
  internal: false,
  netmask: "255.192.0.0",
  mac: "00:00:00:00:00:00",
  cidr: `${address}/10`,
});
const withTailnet = () => ({ lo: [iface("127.0.0.1")], tailscale0: [iface("100.101.102.103")] });
const without = () => ({ eth0: [iface("192.168.0.2")] });
const cfg = (c: Record<string, unknown>) => gatewaySchema.parse(c);

describe("resolveBind", () => {
  it("resolves each mode", () => {
    const auth = { token: TOKEN };
    expect(resolveBind({ gateway: cfg({}), auth, interfaces: without })).toEqual({
      host: "127.0.0.1",
      loopback: true,
    });
    expect(resolveBind({ gateway: cfg({ bind: "lan" }), auth, interfaces: without }).host).toBe("0.0.0.0");
    expect(resolveBind({ gateway: cfg({ bind: "tailnet" }), auth, interfaces: withTailnet }).host).toBe(
      "100.101.102.103",
    );
    expect(resolveBind({ gateway: cfg({ bind: "auto" }), auth, interfaces: withTailnet }).host).toBe(
      "100.101.102.103",
    );
    expect(resolveBind({ gateway: cfg({ bind: "auto" }), auth, interfaces: without }).host).toBe("127.0.0.1");
    expect(
      resolveBind({ gateway: cfg({ bind: "custom", customBindHost: "10.1.2.3" }), auth, interfaces: without })
        .host,
    ).toBe("10.1.2.3");
  });

  it("refuses custom without an IP and tailnet without a tailnet address", () => {
    const auth = { token: TOKEN };
    expect(() => resolveBind({ gateway: cfg({ bind: "custom" }), auth, interfaces: without })).toThrow(
      /customBindHost/,
    );
    expect(() =>
      resolveBind({
        gateway: cfg({ bind: "custom", customBindHost: "gw.example" }),
        auth,
        interfaces: without,
      }),
    ).toThrow(/customBindHost/);
    expect(() => resolveBind({ gateway: cfg({ bind: "tailnet" }), auth, interfaces: without })).toThrow(
      /100\.64\.0\.0\/10/,
    );
  });

  it("applies the safety checks to a host override too", () => {
    expect(() =>
      resolveBind({
        gateway: cfg({ auth: { mode: "none" } }),
        auth: {},
        interfaces: without,
        hostOverride: "0.0.0.0",
      }),
    ).toThrow(/auth.mode none/);
    expect(
      resolveBind({ gateway: cfg({ auth: { mode: "none" } }), auth: {}, interfaces: without }).loopback,
    ).toBe(true);
  });

  it("needs a configured secret for token and password modes even on loopback", () => {
    expect(() => resolveBind({ gateway: cfg({}), auth: {}, interfaces: without })).toThrow(/no token/);
    expect(() =>
      resolveBind({ gateway: cfg({ auth: { mode: "password" } }), auth: {}, interfaces: without }),
    ).toThrow(/no password/);
  });

  it("allows funnel with password auth", () => {
    const gateway = cfg({ tailscale: { mode: "funnel" }, auth: { mode: "password" } });
    expect(
      resolveBind({ gateway, auth: { password: "a long passphrase" }, interfaces: without }).loopback,
    ).toBe(true);
  });
});

describe("isPlaceholderSecret", () => {
  it.each([
    "",
    "  ",
    "changeme",
    "CHANGEME",
    "${TOKEN}",
    "<your-token>",
    "your-token-here-xxxxxxxxxxxxxxxxxxx",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  ])("flags %j", (s) => expect(isPlaceholderSecret(s)).toBe(true));
  it("accepts a random token", () => expect(isPlaceholderSecret(TOKEN)).toBe(false));
});
