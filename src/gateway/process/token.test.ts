import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureGatewayToken, isPlaceholderSecret, readGeneratedToken } from "./token.js";

describe("gateway token bootstrap", () => {
  it("generates 32 random bytes as hex once, stored 0600 in a 0700 dir", () => {
    const d = mkdtempSync(join(tmpdir(), "pal-tok-"));
    const a = ensureGatewayToken(d);
    expect(a.generated).toBe(true);
    expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(a.file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(a.file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(a.file, "utf8").trim()).toBe(a.token);
    const b = ensureGatewayToken(d);
    expect(b).toMatchObject({ token: a.token, generated: false });
    expect(readGeneratedToken(d)).toBe(a.token);
  });

  it("never generates the same token twice across state dirs", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(ensureGatewayToken(mkdtempSync(join(tmpdir(), "pal-tok-"))).token);
    expect(seen.size).toBe(20);
  });

  it("recognizes empty and placeholder secrets", () => {
    for (const v of [
      undefined,
      "",
      "  ",
      "changeme",
      "CHANGE-ME",
      "${OPENCLAW_GATEWAY_TOKEN}",
      "<token>",
      "xxxx",
    ]) {
      expect(isPlaceholderSecret(v), String(v)).toBe(true);
    }
    expect(isPlaceholderSecret("a8f3c1d2e4b5a6978899aabbccddeeff")).toBe(false);
  });
});
