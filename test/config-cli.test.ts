import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const fixtures = join(root, "test/fixtures/config");

function cli(stateDir: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(
    join(root, "node_modules/.bin/node"),
    [join(root, "bin/palisade.js"), "--state-dir", stateDir, ...args],
    {
      cwd: existsSync(stateDir) ? stateDir : dirname(stateDir),
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: stateDir, ...env },
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const state = () => mkdtempSync(join(tmpdir(), "pal-cli-"));

describe("palisade config (real CLI)", () => {
  it("validates both seed configs", () => {
    const s = state();
    const baseline = cli(s, ["--config", join(fixtures, "secure-baseline.json5"), "config", "validate"], {
      OPENCLAW_GATEWAY_TOKEN: "t".repeat(64),
    });
    expect(baseline).toEqual({
      code: 0,
      stdout: `valid: ${join(fixtures, "secure-baseline.json5")}\n`,
      stderr: "",
    });
    const sandbox = cli(s, ["--config", join(fixtures, "deployment-sandbox.json5"), "config", "validate"]);
    expect(sandbox.code).toBe(0);
  });

  it("exits 2 listing every problem with locations, and --json gives the same as data", () => {
    const s = state();
    writeFileSync(
      join(s, "palisade.json"),
      '{\n  gateway: { port: 0 },\n  channels: { telegram: { dmPolicy: "opne" } },\n  skills: {},\n}\n',
    );
    const r = cli(s, ["config", "validate"]);
    expect(r.code).toBe(2);
    const file = join(s, "palisade.json");
    expect(r.stderr).toContain(`${file}:2:14 gateway.port: must be at least 1`);
    expect(r.stderr).toContain(
      `${file}:3:27 channels.telegram.dmPolicy: the string "opne" is not allowed; did you mean "open"?`,
    );
    expect(r.stderr).toContain(
      `${file}:4:3 skills: "skills" is an OpenClaw setting Palisade does not support yet`,
    );
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    const j = cli(s, ["config", "validate", "--json"]);
    expect(j.code).toBe(2);
    const out = JSON.parse(j.stdout) as { valid: boolean; problems: { line: number; path: string }[] };
    expect(out.valid).toBe(false);
    expect(out.problems.map((p) => [p.line, p.path])).toEqual([
      [2, "gateway.port"],
      [3, "channels.telegram.dmPolicy"],
      [4, "skills"],
    ]);
  });

  it("exits 2 for a missing --config file and 0 for a missing default file", () => {
    const s = state();
    expect(cli(s, ["config", "validate"]).code).toBe(0);
    const r = cli(s, ["--config", join(s, "missing.json"), "config", "validate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.json does not exist/);
  });

  it("sets, gets and unsets values, creating the file 0600 and keeping comments", () => {
    const s = state();
    const file = join(s, "palisade.json");
    writeFileSync(file, "// hand-written\n{\n  gateway: {\n    port: 18789, // my port\n  },\n}\n");
    expect(cli(s, ["config", "set", "gateway.port", "18800"]).code).toBe(0);
    expect(cli(s, ["config", "set", "gateway.auth.token", '"${MY_TOKEN}"']).code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("port: 18800, // my port");
    expect(text).toContain("// hand-written");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(cli(s, ["config", "get", "gateway.port"])).toMatchObject({ code: 0, stdout: "18800\n" });
    expect(cli(s, ["config", "get", "gateway.auth.token"])).toMatchObject({
      code: 0,
      stdout: "${MY_TOKEN}\n",
    });
    expect(cli(s, ["config", "get", "gateway.auth.token", "--json"]).stdout).toBe('"${MY_TOKEN}"\n');
    expect(cli(s, ["config", "unset", "gateway.auth"]).code).toBe(0);
    const missing = cli(s, ["config", "get", "gateway.auth.token"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/gateway\.auth\.token is not set/);
  });

  it("creates the state dir 0700 and the file 0600 on the first set", () => {
    const s = join(state(), "fresh");
    expect(cli(s, ["config", "set", "gateway.bind", '"lan"']).code).toBe(0);
    expect(statSync(s).mode & 0o777).toBe(0o700);
    expect(statSync(join(s, "palisade.json")).mode & 0o777).toBe(0o600);
    expect(cli(s, ["config", "get", "gateway.bind"]).stdout).toBe("lan\n");
  });

  it("refuses an invalid value and leaves the file byte-identical", () => {
    const s = state();
    const file = join(s, "palisade.json");
    const original = '{ gateway: { bind: "loopback" } } // keep\n';
    writeFileSync(file, original);
    const bad = cli(s, ["config", "set", "gateway.bind", '"everywhere"']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/gateway\.bind: the string "everywhere" is not allowed/);
    const unquoted = cli(s, ["config", "set", "gateway.bind", "lan"]);
    expect(unquoted.code).toBe(2);
    expect(unquoted.stderr).toContain(`quote it: '"lan"'`);
    const unknown = cli(s, ["config", "set", "gateway.prot", "1"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/did you mean "port"/);
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("prints the JSON Schema and the config path", () => {
    const s = state();
    const schema = cli(s, ["config", "schema"]);
    expect(schema.code).toBe(0);
    const parsed = JSON.parse(schema.stdout) as { properties: Record<string, { description?: string }> };
    expect(Object.keys(parsed.properties)).toEqual(
      expect.arrayContaining(["gateway", "channels", "agents", "tools"]),
    );
    expect(parsed.properties.gateway?.description).toMatch(/gateway/i);
    expect(cli(s, ["config", "file"]).stdout).toBe(`${join(s, "palisade.json")}\n`);
  });

  it("teaches with examples in --help", () => {
    const r = cli(state(), ["config", "set", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`palisade config set gateway.bind '"loopback"'`);
  });
});
