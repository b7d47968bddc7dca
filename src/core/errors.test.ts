import { describe, expect, it } from "vitest";
import {
  ERROR_TABLES,
  ERRORS,
  type ErrorCode,
  fail,
  formatTemplate,
  PalisadeError,
  toWireError,
} from "./errors.js";

describe("error registry", () => {
  const codes = Object.keys(ERRORS) as ErrorCode[];

  it("uses stable PAL_ codes in upper snake case", () => {
    for (const code of codes) expect(code).toMatch(/^PAL_[A-Z0-9_]+$/);
  });

  it("defines every code in exactly one area table (a spread would hide a duplicate)", () => {
    const seen = new Map<string, number>();
    for (const table of ERROR_TABLES)
      for (const code of Object.keys(table)) seen.set(code, (seen.get(code) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([c]) => c);
    expect(twice).toEqual([]);
    expect(seen.size).toBe(codes.length);
  });

  it("maps every code to a sane HTTP status and exit code", () => {
    for (const code of codes) {
      const s = ERRORS[code];
      expect(s.http, code).toBeGreaterThanOrEqual(400);
      expect(s.http, code).toBeLessThan(600);
      expect([1, 2], code).toContain(s.exit);
      expect(s.message.length, code).toBeGreaterThan(0);
    }
  });

  it("creates the class of the layer that failed and keeps the cause", () => {
    const cause = new Error("disk full");
    const err = fail("PAL_CONFIG_WRITE_FAILED", { file: "/x.json", detail: "disk full" }, { cause });
    expect(err.name).toBe("ConfigError");
    expect(err).toBeInstanceOf(PalisadeError);
    expect(err.cause).toBe(cause);
    expect(err.message).toBe("cannot write config /x.json: disk full; nothing was changed");
    expect(err.exitCode).toBe(1);
  });

  it("leaves unknown placeholders visible", () => {
    expect(formatTemplate("a {b} {c}", { b: 1 })).toBe("a 1 {c}");
  });

  it("never leaks unknown errors to clients", () => {
    const wire = toWireError(new Error("ENOENT /root/.palisade/secret token=abc"));
    expect(wire).toEqual({ code: "INTERNAL", message: "internal error" });
  });

  it("sends known errors with OpenClaw's wire code and details", () => {
    const wire = toWireError(
      fail("PAL_FORBIDDEN_SCOPE", { missingScope: "operator.admin" }, { details: { code: "MISSING_SCOPE" } }),
    );
    expect(wire.code).toBe("FORBIDDEN");
    expect(wire.details).toMatchObject({ code: "MISSING_SCOPE", palisadeCode: "PAL_FORBIDDEN_SCOPE" });
  });
});
