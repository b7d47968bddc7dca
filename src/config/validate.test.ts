import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateConfigText } from "./index.js";

const fixtures = join(import.meta.dirname, "../../test/fixtures/config");
const TOKEN_ENV = { OPENCLAW_GATEWAY_TOKEN: "a".repeat(64) };

function problems(text: string, env: Record<string, string> = {}) {
  const r = validateConfigText(text, "/cfg/palisade.json", env);
  return r.ok ? [] : r.problems;
}

describe("the seeds' configs", () => {
  it("validates the secure baseline as-is with OPENCLAW_GATEWAY_TOKEN set", () => {
    const file = join(fixtures, "secure-baseline.json5");
    const r = validateConfigText(readFileSync(file, "utf8"), file, TOKEN_ENV);
    expect(r.problems).toEqual([]);
    if (!r.ok) return;
    expect(r.config.gateway.auth?.token).toBe(TOKEN_ENV.OPENCLAW_GATEWAY_TOKEN);
    expect(r.config.gateway.bind).toBe("loopback");
    expect(r.config.channels?.telegram?.groups?.["*"]?.requireMention).toBe(true);
    expect(r.config.logging.redactSensitive).toBe("tools");
  });

  it("names the missing token variable when OPENCLAW_GATEWAY_TOKEN is unset", () => {
    const file = join(fixtures, "secure-baseline.json5");
    const r = validateConfigText(readFileSync(file, "utf8"), file, {});
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.text).toMatch(
      /secure-baseline\.json5:8:7 gateway\.auth\.token: environment variable OPENCLAW_GATEWAY_TOKEN is not set/,
    );
  });

  it("validates the deployment guide's sandbox settings (section 6.3)", () => {
    const file = join(fixtures, "deployment-sandbox.json5");
    const r = validateConfigText(readFileSync(file, "utf8"), file, {});
    expect(r.problems).toEqual([]);
    if (!r.ok) return;
    const sb = r.config.agents?.defaults?.sandbox;
    expect(sb).toMatchObject({ mode: "all", scope: "session", workspaceAccess: "ro" });
    expect(sb?.docker).toMatchObject({ network: "none", readOnlyRoot: true });
  });

  it("fills defaults for an empty config", () => {
    const r = validateConfigText("", "/cfg/palisade.json", {});
    expect(r.ok && r.config.gateway).toMatchObject({ port: 18789, bind: "loopback", mode: "local" });
  });
});

describe("diagnostics", () => {
  it("reports all three mistakes, each with file, line and column", () => {
    const text = [
      "{",
      "  gateway: { port: 70000 },",
      '  channels: { telegram: { dmPolicy: "sometimes" } },',
      '  session: { dmScoop: "main" },',
      "}",
    ].join("\n");
    const texts = problems(text).map((p) => p.text);
    expect(texts).toEqual([
      "/cfg/palisade.json:2:14 gateway.port: must be at most 65535; change the value",
      expect.stringMatching(
        /^\/cfg\/palisade\.json:3:27 channels\.telegram\.dmPolicy: the string "sometimes" is not allowed; use one of "pairing"/,
      ),
      '/cfg/palisade.json:4:14 session.dmScoop: unknown key "dmScoop"; did you mean "dmScope"?',
    ]);
  });

  it("gives structured problems with file, line, col, path and message", () => {
    const [p] = problems('{ gateway: { bind: "lna" } }');
    expect(p).toEqual({
      file: "/cfg/palisade.json",
      line: 1,
      col: 14,
      path: "gateway.bind",
      message: 'the string "lna" is not allowed; did you mean "lan"?',
      text: '/cfg/palisade.json:1:14 gateway.bind: the string "lna" is not allowed; did you mean "lan"?',
    });
  });

  it("suggests the closest key for a misspelt section and lists allowed keys when nothing is close", () => {
    const texts = problems('{ chanels: {}, zzzzzz: 1, gateway: { auth: { tokne: "x" } } }').map(
      (p) => p.message,
    );
    expect(texts).toContain('unknown key "chanels"; did you mean "channels"?');
    expect(texts).toContain('unknown key "tokne"; did you mean "token"?');
    expect(texts.find((t) => t.includes("zzzzzz"))).toMatch(/remove it \(allowed here: .*gateway/);
  });

  it("says plainly when a key is an OpenClaw setting Palisade does not support yet", () => {
    const ps = problems("{ plugins: { entries: {} }, browser: {}, agents: { defaults: { heartbeat: {} } } }");
    expect(ps.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'plugins: "plugins" is an OpenClaw setting Palisade does not support yet; remove it',
      'browser: "browser" is an OpenClaw setting Palisade does not support yet; remove it',
      'agents.defaults.heartbeat: "heartbeat" is an OpenClaw setting Palisade does not support yet; remove it',
    ]);
  });

  it("accepts and ignores the metadata OpenClaw writes itself", () => {
    const text =
      '{ $schema: "https://x/schema.json", meta: { lastTouchedVersion: "1" }, wizard: { lastRunAt: "x" } }';
    expect(problems(text)).toEqual([]);
  });

  it("reports a JSON5 syntax error with its line and column", () => {
    const ps = problems("{\n  gateway: {\n    port: 1\n    bind: 'lan'\n  }\n}");
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ line: 4, col: 5 });
    expect(ps[0]?.text).toMatch(/^\/cfg\/palisade\.json:4:5: JSON5 syntax error: .*missing comma/);
  });

  it("substitutes ${VAR}, keeps $${ as a literal and rejects references that are not valid names", () => {
    const r = validateConfigText(
      '{ gateway: { auth: { token: "${TOK}-$${NOT_A_VAR}" } }, logging: { file: "${lower}" } }',
      "/cfg/p.json",
      { TOK: "abc" },
    );
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.path)).toEqual(["logging.file"]);
    const ok = validateConfigText('{ gateway: { auth: { token: "${TOK}-$${NOT_A_VAR}" } } }', "/cfg/p.json", {
      TOK: "abc",
    });
    expect(ok.ok && ok.config.gateway.auth?.token).toBe("abc-${NOT_A_VAR}");
  });

  it("checks cross-field rules alongside other problems", () => {
    const text = `{
      gateway: { bind: "custom", port: "x" },
      channels: { telegram: { dmPolicy: "open", allowFrom: ["123"] } },
      agents: { list: [{ id: "a", default: true }, { id: "a", default: true }] },
      bindings: [{ agentId: "ghost", match: { channel: "telegram" } }],
    }`;
    const msgs = problems(text).map((p) => `${p.path}: ${p.message}`);
    expect(msgs).toEqual([
      expect.stringMatching(/^gateway\.bind: bind "custom" needs gateway\.customBindHost/),
      expect.stringMatching(/^gateway\.port: expected a number, got the string "x"/),
      expect.stringMatching(/^channels\.telegram\.allowFrom: dmPolicy "open" .* add "\*" to allowFrom/),
      expect.stringMatching(/^agents\.list\[1\]\.id: agent id "a" is already used by agents\.list\[0\]/),
      expect.stringMatching(/^agents\.list\[1\]\.default: more than one agent has default: true/),
      expect.stringMatching(/^bindings\[0\]\.agentId: agent "ghost" is not in agents\.list; use one of "a"/),
    ]);
  });

  it('accepts dmPolicy "open" with "*" and a model given as { primary, fallbacks }', () => {
    const text = `{
      channels: { telegram: { dmPolicy: "open", allowFrom: ["*"], accounts: { alerts: { dmPolicy: "pairing" } } } },
      agents: { list: [{ id: "main", model: { primary: "openai/gpt-5", fallbacks: ["anthropic/claude"] } }] },
      bindings: [{ agentId: "main", match: { channel: "telegram", peer: { kind: "group", id: "-100" } } }],
    }`;
    expect(problems(text)).toEqual([]);
  });

  it("points at the wrong field inside a union value", () => {
    const ps = problems('{ agents: { defaults: { model: { primary: "x", fallback: [] } } } }');
    expect(ps.map((p) => p.message)).toEqual(['unknown key "fallback"; did you mean "fallbacks"?']);
  });
});
