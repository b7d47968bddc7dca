import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type GrantInput, grantScopes, hasScope, SCOPES } from "./scopes.js";

const input = fc.record<GrantInput>({
  role: fc.constantFrom("operator", "node"),
  requested: fc.array(fc.oneof(fc.constantFrom(...SCOPES), fc.string()), { maxLength: 8 }),
  authMethod: fc.constantFrom("none", "token", "password", "trusted-proxy"),
  isLocal: fc.boolean(),
  hasOrigin: fc.boolean(),
  hasDevice: fc.boolean(),
});

describe("scope grants", () => {
  it("never grants a scope that was not both known and asked for", () => {
    fc.assert(
      fc.property(input, (i) => {
        const g = grantScopes(i);
        if (!g.ok) return;
        for (const s of g.scopes) {
          expect(SCOPES).toContain(s);
          expect(i.requested).toContain(s);
        }
      }),
    );
  });

  it("grants nothing to browsers (without trusted-proxy), nodes or remote shared-secret clients", () => {
    fc.assert(
      fc.property(input, (i) => {
        const g = grantScopes(i);
        if (i.hasOrigin && i.authMethod !== "trusted-proxy") expect(g.ok).toBe(false);
        if (g.ok && i.role === "node") expect(g.scopes).toEqual([]);
        if (g.ok && !i.isLocal && i.authMethod !== "trusted-proxy") expect(g.scopes).toEqual([]);
      }),
    );
  });

  it("applies OpenClaw's implications", () => {
    expect(hasScope(["operator.admin"], "operator.pairing")).toBe(true);
    expect(hasScope(["operator.write"], "operator.read")).toBe(true);
    expect(hasScope(["operator.read"], "operator.write")).toBe(false);
    expect(hasScope([], "operator.read")).toBe(false);
  });
});
