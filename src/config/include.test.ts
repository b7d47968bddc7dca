import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateConfigText } from "./index.js";

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "pal-inc-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, ".."), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

describe("$include", () => {
  it("resolves paths relative to the including file, merges arrays and lets siblings win", () => {
    const d = dir({
      "parts/agents.json5": '{ $include: "./sub/list.json5", defaults: { workspace: "/w" } }',
      "parts/sub/list.json5": '{ list: [{ id: "main" }] }',
      "parts/a.json5": '{ port: 1000, bind: "lan", auth: { mode: "token" } }',
      "parts/b.json5": "{ port: 2000 }",
    });
    const text = `{
      agents: { $include: "./parts/agents.json5" },
      gateway: { $include: ["./parts/a.json5", "./parts/b.json5"], bind: "loopback" },
    }`;
    const r = validateConfigText(text, join(d, "palisade.json"), {});
    expect(r.problems).toEqual([]);
    if (!r.ok) return;
    expect(r.config.agents).toEqual({ defaults: { workspace: "/w" }, list: [{ id: "main" }] });
    expect(r.config.gateway).toMatchObject({ port: 2000, bind: "loopback", auth: { mode: "token" } });
  });

  it("concatenates arrays from several files", () => {
    const d = dir({ "a.json5": '{ allowFrom: ["1"] }', "b.json5": '{ allowFrom: ["2"] }' });
    const r = validateConfigText(
      '{ channels: { telegram: { $include: ["a.json5", "b.json5"] } } }',
      join(d, "palisade.json"),
      {},
    );
    expect(r.ok && r.config.channels?.telegram?.allowFrom).toEqual(["1", "2"]);
  });

  it("names the included file and line of a problem inside it", () => {
    const d = dir({ "gw.json5": '{\n  port: 1,\n  bnid: "lan",\n}' });
    const r = validateConfigText('{ gateway: { $include: "gw.json5" } }', join(d, "palisade.json"), {});
    expect(r.problems.map((p) => p.text)).toEqual([
      `${join(d, "gw.json5")}:3:3 gateway.bnid: unknown key "bnid"; did you mean "bind"?`,
    ]);
  });

  it("detects cycles and reports the chain", () => {
    const d = dir({ "a.json5": '{ $include: "b.json5" }', "b.json5": '{ $include: "a.json5" }' });
    const main = join(d, "palisade.json");
    const r = validateConfigText('{ gateway: { $include: "a.json5" } }', main, {});
    expect(r.ok).toBe(false);
    expect(r.problems[0]?.message).toContain(
      `include cycle: ${join(d, "a.json5")} -> ${join(d, "b.json5")} -> ${join(d, "a.json5")}`,
    );
  });

  it("allows 10 levels of nesting and refuses the 11th", () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 11; i++)
      files[`l${i}.json5`] = i === 11 ? "{ port: 1234 }" : `{ $include: "l${i + 1}.json5" }`;
    const d = dir(files);
    const deep = validateConfigText('{ gateway: { $include: "l1.json5" } }', join(d, "palisade.json"), {});
    expect(deep.ok).toBe(false);
    expect(deep.problems[0]?.message).toMatch(/nest deeper than 10 levels/);
    const ok = validateConfigText('{ gateway: { $include: "l2.json5" } }', join(d, "palisade.json"), {});
    expect(ok.ok && ok.config.gateway.port).toBe(1234);
  });

  it("reports a missing file and refuses files outside the config's directory", () => {
    const d = dir({ "inner/main.json": "" });
    const r = validateConfigText(
      '{ gateway: { $include: "nope.json5" }, session: { $include: "../outside.json5" } }',
      join(d, "inner/main.json"),
      {},
    );
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/cannot include .*nope\.json5: it does not exist/),
      expect.stringMatching(/outside\.json5 is outside the allowed include directories/),
    ]);
  });

  it("reports a syntax error inside an included file with its location", () => {
    const d = dir({ "bad.json5": "{\n  port: 1,,\n}" });
    const r = validateConfigText('{ gateway: { $include: "bad.json5" } }', join(d, "palisade.json"), {});
    expect(r.problems[0]).toMatchObject({ file: join(d, "bad.json5"), line: 2 });
  });
});
