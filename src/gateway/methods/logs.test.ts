import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tailLog } from "./logs.js";

const id = (t: string) => t;

describe("tailLog", () => {
  const file = join(mkdtempSync(join(tmpdir(), "pal-logs-")), "g.log");

  it("answers empty for a missing file", async () => {
    expect(await tailLog(join(file, "nope"), undefined, id)).toMatchObject({ cursor: 0, size: 0, lines: [] });
    expect(await tailLog(undefined, undefined, id)).toMatchObject({ file: "none", lines: [] });
  });

  it("follows with a cursor, holds back a partial line, resets after rotation", async () => {
    writeFileSync(file, "a\nb\npart");
    const first = await tailLog(file, {}, id);
    expect(first).toMatchObject({ lines: ["a", "b"], cursor: 4, size: 8, truncated: false, reset: false });
    appendFileSync(file, "ial\nc\n");
    const next = await tailLog(file, { cursor: first.cursor }, id);
    expect(next.lines).toEqual(["partial", "c"]);
    writeFileSync(file, "new\n");
    const rotated = await tailLog(file, { cursor: next.cursor }, id);
    expect(rotated).toMatchObject({ reset: true, lines: ["new"] });
  });

  it("truncates by limit and maxBytes and redacts", async () => {
    writeFileSync(file, `${Array.from({ length: 100 }, (_, i) => `line-${i} secret`).join("\n")}\n`);
    const byLimit = await tailLog(file, { limit: 3 }, (t) => t.replace("secret", "***"));
    expect(byLimit).toMatchObject({ lines: ["line-97 ***", "line-98 ***", "line-99 ***"], truncated: true });
    const byBytes = await tailLog(file, { maxBytes: 40 }, id);
    expect(byBytes.truncated).toBe(true);
    expect(byBytes.lines.at(-1)).toBe("line-99 secret");
    for (const l of byBytes.lines) expect(l).toMatch(/^line-\d+ secret$/);
  });
});
