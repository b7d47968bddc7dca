import { describe, expect, it } from "vitest";
import { compileUserPattern, createRedactor, REDACTED, redactText, redactValue } from "./index.js";

const M = REDACTED;

describe("built-in patterns", () => {
  const cases: Array<[string, string, string]> = [
    ["OpenAI key", "key sk-proj-Abcdefghijklmnop1234 used", `key ${M} used`],
    ["Anthropic key", "x=sk-ant-api03-abcdefghijklmnopqrstuvwxyz-AA", `x=${M}`],
    ["Bearer header", "Bearer abcdefgh.ijkl-mnop", `Bearer ${M}`],
    ["Authorization header", "Authorization: Basic dXNlcjpwYXNz\nnext", `Authorization: ${M}\nnext`],
    ["x-api-key header", "x-api-key: 0123456789abcdef", `x-api-key: ${M}`],
    [
      "Telegram bot URL",
      "GET https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1/getUpdates",
      `GET https://api.telegram.org/bot${M}/getUpdates`,
    ],
    ["Telegram token", "token 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1.", `token ${M}.`],
    [
      "PEM block",
      "a -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY----- b",
      `a ${M} b`,
    ],
    ["truncated PEM", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq", M],
    ["GitHub PAT", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", M],
    ["GitHub fine-grained", "github_pat_11ABCDEFG0abcdefghijkl_xyz", M],
    ["Slack bot token", "xoxb-1234567890-abcdefghij", M],
    [
      "Slack webhook",
      "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
      `https://hooks.slack.com/services/${M}`,
    ],
    ["AWS key id", "AKIAIOSFODNN7EXAMPLE", M],
    ["Google key", "AIzaSyA-abcdefghijklmnopqrstuvwxyz12345", M],
    ["JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r", M],
    ["query token", "GET /x?token=abc123&page=2", `GET /x?token=${M}&page=2`],
    ["query access_token", "/cb?access_token=abc&x=1", `/cb?access_token=${M}&x=1`],
    ["password flag", "--password=hunter22 --user=x", `--password=${M} --user=x`],
    ["apiKey pair", "apiKey=zzz", `apiKey=${M}`],
    ["JSON string value", '{"botToken":"123","x":"y"}', `{"botToken":"${M}","x":"y"}`],
    ["JSON number value", '{"password": 123456}', `{"password": "${M}"}`],
    ["JSON client_secret", '{"client_secret" : "s3cr3t"}', `{"client_secret" : "${M}"}`],
  ];
  it.each(cases)("masks %s", (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    "maxTokens=4096 inputTokens=12",
    '{"maxTokens":4096,"sessionKey":"agent:main:telegram:dm:42"}',
    "task-abcdefghijklmnopqrstuvwxyz is done",
    "the bearer of bad news",
    "tokens: 15 used, time 12:30:45",
    "https://example.com/path?page=2&q=hello",
    "see [REDACTED] above",
  ])("leaves ordinary text alone: %s", (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe("secrets by value", () => {
  const opts = { secrets: ["hunter2-secret", 'qu"ote\\slash', "a b&c=d/e", "short"] };
  it("masks exact, JSON-escaped and URL-encoded forms", () => {
    expect(redactText("pw hunter2-secret!", opts)).toBe(`pw ${M}!`);
    expect(redactText('{"v":"qu\\"ote\\\\slash"}', opts)).toBe(`{"v":"${M}"}`);
    expect(redactText("?q=a%20b%26c%3Dd%2Fe", opts)).toBe(`?q=${M}`);
  });
  it("ignores secrets shorter than 6 characters", () => {
    expect(redactText("short shorts", opts)).toBe("short shorts");
  });
  it("keeps masking secrets when redactSensitive is off, but drops the built-in patterns", () => {
    const off = { sensitive: "off", secrets: ["hunter2-secret"] };
    expect(redactText("sk-abcdefghijklmnopqrstuvw hunter2-secret token=abc", off)).toBe(
      `sk-abcdefghijklmnopqrstuvw ${M} token=abc`,
    );
  });
});

describe("user patterns", () => {
  it("applies OpenClaw-style patterns and /source/flags", () => {
    const opts = { patterns: ["password=.*", "secret-.*", "/internal-[a-z]+/i"] };
    expect(redactText("login password=x y", opts)).toBe(`login ${M}`);
    expect(redactText("id INTERNAL-abc here", opts)).toBe(`id ${M} here`);
  });
  it("reports invalid, empty-matching and oversized patterns instead of throwing", () => {
    const r = createRedactor({ patterns: ["(", "a*", "", "x".repeat(2000), "ok-[0-9]+"] });
    expect(r.problems.map((p) => p.index)).toEqual([0, 1, 2, 3]);
    expect(r.problems[0]?.message).toMatch(/not a valid regular expression/);
    expect(r.problems[1]?.message).toMatch(/empty string/);
    expect(r.text("ok-123")).toBe(M);
    expect(compileUserPattern("[")).toEqual(expect.stringContaining("fix or remove it"));
  });
  it("stays idempotent with a pattern that matches the mask's own letters", () => {
    const opts = { patterns: ["[A-Z]{4,}"] };
    const once = redactText("HELLO world", opts);
    expect(once).toBe(`${M} world`);
    expect(redactText(once, opts)).toBe(once);
  });
});

describe("redactValue", () => {
  it("masks secret-named keys and redacts every string, keeping the shape", () => {
    const input = {
      auth: { token: "t0k3n", mode: "token", password: 1234 },
      headers: { Authorization: "Basic abc", accept: "json" },
      usage: { maxTokens: 10, inputTokens: 3 },
      list: ["sk-abcdefghijklmnopqrstu", 1, null, true],
      "hunter2-xyzzy": "as key",
    };
    expect(redactValue(input, { secrets: ["hunter2-xyzzy"] })).toEqual({
      auth: { token: M, mode: "token", password: M },
      headers: { Authorization: M, accept: "json" },
      usage: { maxTokens: 10, inputTokens: 3 },
      list: [M, 1, null, true],
      [M]: "as key",
    });
  });
  it("turns errors into plain redacted objects and survives cycles and __proto__ keys", () => {
    const err = Object.assign(new Error("call failed: Bearer abcdefghijk"), { code: "E1" });
    const cyclic: Record<string, unknown> = { name: "x" };
    cyclic.self = cyclic;
    const proto = JSON.parse('{"__proto__":{"polluted":true}}') as unknown;
    const out = redactValue({ err, cyclic, proto }) as Record<string, Record<string, unknown>>;
    expect(out.err).toMatchObject({ name: "Error", message: `call failed: Bearer ${M}`, code: "E1" });
    expect(String(out.err?.stack)).not.toContain("abcdefghijk");
    expect(out.cyclic?.self).toBe("[Circular]");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out.proto ?? {})).toEqual(["__proto__"]);
  });
});
