import fc from "fast-check";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { applyMergePatch, mergePatchText } from "./merge-patch.js";
import { fileValue } from "./raw-value.js";

const key = fc.constantFrom("a", "b", "c", "port", "level");
const leaf = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
);
const doc = fc.letrec((tie) => ({
  obj: fc.dictionary(key, fc.oneof({ depthSize: "small" }, leaf, tie("obj")), { maxKeys: 4 }),
})).obj as fc.Arbitrary<Record<string, unknown>>;
const patch = fc.letrec((tie) => ({
  obj: fc.dictionary(key, fc.oneof({ depthSize: "small" }, leaf, fc.constant(null), tie("obj")), {
    maxKeys: 4,
  }),
})).obj as fc.Arbitrary<Record<string, unknown>>;

describe("JSON merge patch (RFC 7396)", () => {
  it("follows the RFC's examples", () => {
    expect(applyMergePatch({ a: "b" }, { a: "c" })).toEqual({ a: "c" });
    expect(applyMergePatch({ a: "b" }, { b: "c" })).toEqual({ a: "b", b: "c" });
    expect(applyMergePatch({ a: "b" }, { a: null })).toEqual({});
    expect(applyMergePatch({ a: ["b"] }, { a: "c" })).toEqual({ a: "c" });
    expect(applyMergePatch({ a: { b: "c" } }, { a: { b: "d", c: null } })).toEqual({ a: { b: "d" } });
    expect(applyMergePatch({ a: [{ b: "c" }] }, { a: [1] })).toEqual({ a: [1] });
  });

  it("deletes every null key, keeps untouched keys, and is idempotent", () => {
    fc.assert(
      fc.property(doc, patch, (d, p) => {
        const once = applyMergePatch(d, p) as Record<string, unknown>;
        expect(applyMergePatch(once, p)).toEqual(once);
        for (const [k, v] of Object.entries(p)) if (v === null) expect(Object.hasOwn(once, k)).toBe(false);
        for (const k of Object.keys(d)) if (!Object.hasOwn(p, k)) expect(once[k]).toEqual(d[k]);
      }),
    );
  });

  it("edits text to exactly the value the merge patch gives, keeping comments", () => {
    fc.assert(
      fc.property(doc, patch, (d, p) => {
        const text = `// keep me\n${JSON5.stringify(d, null, 2)}\n`;
        const out = mergePatchText(text, d, p);
        expect(fileValue(out)).toEqual(applyMergePatch(d, p));
        expect(out).toContain("// keep me");
      }),
      { numRuns: 150 },
    );
  });
});
