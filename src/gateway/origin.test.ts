import { describe, expect, it } from "vitest";
import { buildOriginPolicy, hostAllowed, originAllowed } from "./origin.js";

const policy = buildOriginPolicy({
  boundHost: "127.0.0.1",
  extraHosts: [],
  allowedOrigins: ["https://ui.example.com", "not a url"],
  interfaceAddresses: [],
});

describe("origin and host policy", () => {
  it("accepts our own names and refuses others", () => {
    for (const h of ["127.0.0.1:18789", "localhost:1", "localhost.", "[::1]:5", "ui.example.com"])
      expect(hostAllowed(h, policy), h).toBe(true);
    for (const h of [undefined, "evil.example", "127.0.0.1.evil.example", "10.0.0.1:18789"])
      expect(hostAllowed(h, policy), String(h)).toBe(false);
  });

  it("accepts no Origin, our own origin and listed origins only", () => {
    expect(originAllowed(undefined, "127.0.0.1:18789", policy)).toBe(true);
    expect(originAllowed("http://127.0.0.1:18789", "127.0.0.1:18789", policy)).toBe(true);
    expect(originAllowed("https://ui.example.com", "127.0.0.1:18789", policy)).toBe(true);
    expect(originAllowed("http://127.0.0.1:9999", "127.0.0.1:18789", policy)).toBe(false);
    expect(originAllowed("https://evil.example", "evil.example", policy)).toBe(false);
    expect(originAllowed("null", "127.0.0.1:18789", policy)).toBe(false);
    expect(originAllowed("file:///etc", "127.0.0.1:18789", policy)).toBe(false);
  });

  it("accepts interface addresses when bound to a wildcard", () => {
    const lan = buildOriginPolicy({
      boundHost: "0.0.0.0",
      extraHosts: [],
      allowedOrigins: [],
      interfaceAddresses: ["192.168.1.5"],
    });
    expect(hostAllowed("192.168.1.5:18789", lan)).toBe(true);
    expect(hostAllowed("192.168.1.6:18789", lan)).toBe(false);
  });
});
