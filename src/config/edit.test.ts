import fc from "fast-check";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { getAtPath, parsePath, setConfigText, unsetConfigText } from "./index.js";

const FILE = `// Palisade config
{
  // the gateway
  gateway: {
    port: 18789, // default port
    bind: "loopback",
  },
  /* channels */
  channels: { telegram: { dmPolicy: "pairing" } },
}
`;

describe("setConfigText", () => {
  it("replaces a value in place and keeps every comment", () => {
    const out = setConfigText(FILE, "gateway.port", 18790);
    expect(out).toBe(FILE.replace("port: 18789", "port: 18790"));
  });

  it("inserts a missing key after the last entry, in the file's style", () => {
    const out = setConfigText(FILE, "gateway.auth.mode", "token");
    expect(out).toContain('    bind: "loopback",\n    auth: {\n      mode: "token",\n    },\n  },');
    expect(out).toContain("// default port");
  });

  it("inserts into an inline object and an empty object", () => {
    const out = setConfigText(FILE, "channels.telegram.allowFrom", ["1"]);
    expect(out).toContain('channels: { telegram: { dmPolicy: "pairing", allowFrom: ["1"] } },');
    expect(setConfigText("{}", "a", 1)).toBe("{\n  a: 1\n}");
  });

  it("writes JSON when the file is JSON", () => {
    const json = '{\n  "gateway": {\n    "port": 1\n  }\n}\n';
    expect(setConfigText(json, "gateway.bind", "lan")).toBe(
      '{\n  "gateway": {\n    "port": 1,\n    "bind": "lan"\n  }\n}\n',
    );
  });

  it("creates a file from nothing and keeps a comment-only file's comments", () => {
    expect(JSON5.parse(setConfigText("", "gateway.port", 1))).toEqual({ gateway: { port: 1 } });
    expect(setConfigText("// hello\n", "a", true)).toMatch(/^\/\/ hello\n\{/);
  });

  it("appends to an array and refuses gaps and non-objects", () => {
    const t = '{ agents: { list: [{ id: "a" }] } }';
    expect(JSON5.parse(setConfigText(t, "agents.list[1]", { id: "b" })).agents.list).toHaveLength(2);
    expect(() => setConfigText(t, "agents.list[5]", {})).toThrow(/has 1 items/);
    expect(() => setConfigText('{ a: "x" }', "a.b", 1)).toThrow(/is a string, not an object/);
  });
});

describe("unsetConfigText", () => {
  it("removes a property and its comma, keeping the rest", () => {
    const out = unsetConfigText(FILE, "gateway.port");
    expect(out).not.toContain("port");
    expect(out).toContain("// the gateway");
    expect(JSON5.parse(out)).toEqual({
      gateway: { bind: "loopback" },
      channels: { telegram: { dmPolicy: "pairing" } },
    });
  });

  it("removes last, only and inline entries", () => {
    expect(JSON5.parse(unsetConfigText(FILE, "gateway.bind"))).toMatchObject({ gateway: { port: 18789 } });
    expect(unsetConfigText("{ a: { b: 1 } }", "a.b")).toBe("{ a: {} }");
    expect(unsetConfigText("{ a: 1, b: 2, c: 3 }", "b")).toBe("{ a: 1, c: 3 }");
    expect(unsetConfigText("[1]", "0")).toBe("[]");
  });

  it("leaves the text unchanged when the path is absent", () => {
    expect(unsetConfigText(FILE, "nope.deeper")).toBe(FILE);
  });
});

describe("paths", () => {
  it("parses dots, indexes and quoted keys, and refuses malformed paths", () => {
    expect(parsePath('channels.telegram.groups["*"].requireMention')).toEqual([
      "channels",
      "telegram",
      "groups",
      "*",
      "requireMention",
    ]);
    expect(parsePath("agents.list[0].id")).toEqual(["agents", "list", 0, "id"]);
    expect(() => parsePath("a..b")).toThrow(/empty key/);
    expect(() => parsePath("")).toThrow(/empty/);
  });
});

const key = fc.oneof(
  fc.constantFrom("a", "b", "port", "*", "with space", "x-y", "__proto__"),
  fc.string({ minLength: 1, maxLength: 6 }),
);
const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe("properties", () => {
  it("set then get round-trips any JSON value, in JSON and JSON5 files", () => {
    const bases = [FILE, '{\n  "gateway": { "port": 1 }\n}\n', "", "{}"];
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(key, { minLength: 1, maxLength: 4 }),
        json,
        (base, path, value) => {
          const out = setConfigText(base, path, value);
          const parsed = JSON5.parse(out);
          const got = getAtPath(parsed, path);
          expect(got).toEqual({ found: true, value });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("setConfigText changes only the target: the parsed result equals the intended object", () => {
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 3 }), json, (path, value) => {
        const before = JSON5.parse(FILE) as Record<string, unknown>;
        const expected = structuredClone(before);
        let cur: Record<string, unknown> = expected;
        path.forEach((seg, i) => {
          if (i === path.length - 1)
            Object.defineProperty(cur, seg, { value, enumerable: true, writable: true, configurable: true });
          else {
            const next = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
            const obj = typeof next === "object" && next !== null && !Array.isArray(next) ? next : {};
            Object.defineProperty(cur, seg, {
              value: obj,
              enumerable: true,
              writable: true,
              configurable: true,
            });
            cur = obj as Record<string, unknown>;
          }
        });
        let out: string;
        try {
          out = setConfigText(FILE, path, value);
        } catch {
          return; // crossing a scalar is refused, which is fine
        }
        expect(JSON5.parse(out)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("unset after set restores an object without the key", () => {
    fc.assert(
      fc.property(key, json, (k, value) => {
        const out = unsetConfigText(setConfigText(FILE, ["gateway", k], value), ["gateway", k]);
        const parsed = JSON5.parse(out) as { gateway: Record<string, unknown> };
        expect(Object.hasOwn(parsed.gateway, k)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
