import { describe, expect, it } from "vitest";
import { assertMigrationList, MIGRATIONS } from "./index.js";

describe("MIGRATIONS", () => {
  it("has unique, strictly increasing positive integer versions", () => {
    expect(() => assertMigrationList(MIGRATIONS)).not.toThrow();
    const versions = MIGRATIONS.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
    versions.forEach((v, i) => {
      expect(Number.isSafeInteger(v)).toBe(true);
      expect(v).toBeGreaterThan(i === 0 ? 0 : (versions[i - 1] ?? 0));
    });
  });

  it("names every step", () => {
    for (const m of MIGRATIONS) expect(m.name).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});
