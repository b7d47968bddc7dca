import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadEnv, substituteString } from "./index.js";

describe(".env files", () => {
  it("loads cwd .env before state-dir .env and never overrides the environment", () => {
    const cwd = mkdtempSync(join(tmpdir(), "pal-cwd-"));
    const state = mkdtempSync(join(tmpdir(), "pal-state-"));
    writeFileSync(join(cwd, ".env"), "A=from-cwd\nB=from-cwd\n# comment\n");
    writeFileSync(join(state, ".env"), "A=from-state\nB=from-state\nC=from-state\nD=from-state\n");
    const env = loadEnv({ env: { A: "from-env", UNSET: undefined }, cwd, stateDir: state });
    expect(env).toMatchObject({ A: "from-env", B: "from-cwd", C: "from-state", D: "from-state" });
    expect("UNSET" in env).toBe(false);
  });

  it("treats missing .env files as empty", () => {
    const dir = mkdtempSync(join(tmpdir(), "pal-none-"));
    expect(loadEnv({ env: { X: "1" }, cwd: dir, stateDir: dir })).toEqual({ X: "1" });
  });
});

describe("substituteString", () => {
  it("replaces references, keeps $${ literal and reports missing and invalid ones", () => {
    expect(substituteString("a${X}b$${Y}c", { X: "1" })).toEqual({
      value: "a1b${Y}c",
      missing: [],
      invalid: [],
    });
    expect(substituteString("${MISSING}", {}).missing).toEqual(["MISSING"]);
    expect(substituteString("${EMPTY}", { EMPTY: "" }).missing).toEqual(["EMPTY"]);
    expect(substituteString("${lower} ${OPEN", {}).invalid).toEqual(["${lower}", "${OPEN"]);
  });

  it("never leaves an unescaped ${ unresolved without reporting it (property)", () => {
    const piece = fc.oneof(
      fc.constantFrom("${", "$${", "}", "$", "{", "A", "_", "a", "${A}", "${B}", "${a}", "$${A}"),
      fc.string({ maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const input = parts.join("");
        const r = substituteString(input, { A: "x" });
        const reported = r.missing.length + r.invalid.length > 0;
        // with nothing reported, the only "${" left in the output came from "$${" escapes
        const escapes = input.split("$${").length - 1;
        const left = r.value.split("${").length - 1;
        if (!reported) expect(left).toBeLessThanOrEqual(escapes);
        // a value with no "$" at all is never changed
        if (!input.includes("$")) expect(r.value).toBe(input);
      }),
      { numRuns: 500 },
    );
  });
});
