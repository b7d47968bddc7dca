/**
 * config.get / schema / apply / patch over a real gateway socket, against a real config file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { configHash } from "../../src/config/index.js";
import { dispatch } from "../../src/gateway/dispatch.js";
import { IdempotencyCache } from "../../src/gateway/idempotency.js";
import type { GatewayServer } from "../../src/gateway/index.js";
import { MethodRegistry, SCOPES } from "../../src/gateway/index.js";
import { registerConfigMethods } from "../../src/gateway/methods/config.js";
import { createConfigAudit, openStore } from "../../src/store/index.js";
import { connect, startTestGateway } from "../helpers/gateway.js";

const BOT_TOKEN = "123456789:AAH-secret-bot-token-value-xyz";
const TEXT = `// Palisade config for tests
{
  gateway: {
    port: 18789, // the default
    auth: { mode: "token", token: "a-long-configured-gateway-token-0123456789abcdef" },
  },
  channels: { telegram: { enabled: true, botToken: "${BOT_TOKEN}" } },
  logging: { level: "info" },
}
`;

let gw: GatewayServer | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function setup(text = TEXT) {
  const dir = mkdtempSync(join(tmpdir(), "pal-cfg-"));
  const file = join(dir, "palisade.json");
  writeFileSync(file, text, { mode: 0o600 });
  const store = openStore({ file: join(dir, "state.sqlite") });
  const audit = createConfigAudit(store);
  const applied: string[] = [];
  gw = await startTestGateway();
  registerConfigMethods(gw.methods, {
    file,
    env: {},
    audit,
    now: Date.now,
    afterWrite: (t) => {
      applied.push(t);
      return { status: "applied" };
    },
  });
  const { client } = await connect(gw, { scopes: ["operator.read", "operator.admin"] });
  return { file, client, audit, applied, hash: configHash(text) };
}

describe("config.get", () => {
  it("redacts every secret, says which are set, and returns the current hash", async () => {
    const { client, hash } = await setup();
    const res = await client.call("config.get", {});
    expect(res.ok).toBe(true);
    const text = JSON.stringify(res.payload);
    expect(text).not.toContain(BOT_TOKEN);
    expect(text).not.toContain("a-long-configured-gateway-token");
    const p = res.payload as Record<string, unknown>;
    expect(p).toMatchObject({
      hash,
      valid: true,
      exists: true,
      secrets: { "gateway.auth.token": "set", "channels.telegram.botToken": "set" },
      parsed: { channels: { telegram: { botToken: "__PALISADE_REDACTED__" } } },
    });
    expect(p.raw).toContain("// the default");
    expect(p.raw).toContain("__PALISADE_REDACTED__");
  });

  it("serves the JSON Schema", async () => {
    const { client } = await setup();
    const res = await client.call("config.schema", {});
    expect(res.payload).toMatchObject({ schema: { title: "Palisade config" } });
  });
});

describe("config.apply and config.patch", () => {
  it("refuses a stale baseHash with the current hash and writes nothing", async () => {
    const { client, file, hash } = await setup();
    for (const method of ["config.apply", "config.patch"]) {
      const res = await client.call(method, {
        raw: "{ logging: { level: 'debug' } }",
        baseHash: "0".repeat(64),
      });
      expect(res).toMatchObject({
        ok: false,
        error: { code: "CONFLICT", details: { code: "CONFIG_BASE_HASH_MISMATCH", currentHash: hash } },
      });
    }
    expect(readFileSync(file, "utf8")).toBe(TEXT);
  });

  it("leaves the file byte-identical on an invalid apply and returns every problem", async () => {
    const { client, file, hash, applied } = await setup();
    const res = await client.call("config.apply", {
      raw: "{ gateway: { port: 'eighty', bind: 'everywhere' }, nonsense: true }",
      baseHash: hash,
    });
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("INVALID_REQUEST");
    const problems = res.error?.details?.problems as { path: string }[];
    expect(problems.map((p) => p.path).sort()).toEqual(["gateway.bind", "gateway.port", "nonsense"].sort());
    expect(readFileSync(file, "utf8")).toBe(TEXT);
    expect(applied).toEqual([]);
  });

  it("applies a merge patch in place, keeping comments and secrets, and audits the paths", async () => {
    const { client, file, hash, audit, applied } = await setup();
    const res = await client.call("config.patch", {
      raw: "{ logging: { level: 'debug' }, channels: { telegram: { enabled: null } }, tools: { profile: 'minimal' } }",
      baseHash: hash,
      note: "quieter",
    });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("// the default");
    expect(text).toContain(BOT_TOKEN);
    expect(text).not.toContain("enabled");
    expect(res.payload).toMatchObject({
      hash: configHash(text),
      changedPaths: ["channels.telegram.enabled", "logging.level", "tools.profile"],
    });
    expect(applied).toEqual([text]);
    const [rec] = audit.recent();
    expect(rec).toMatchObject({
      method: "config.patch",
      baseHash: hash,
      newHash: configHash(text),
      paths: ["channels.telegram.enabled", "logging.level", "tools.profile"],
      note: "quieter",
      actor: { transport: "ws", clientAddress: "127.0.0.1" },
    });
    expect(JSON.stringify(audit.recent())).not.toContain(BOT_TOKEN);
  });

  it("round-trips a redacted config from config.get through config.apply without losing secrets", async () => {
    const { client, file } = await setup();
    const got = (await client.call("config.get", {})).payload as { raw: string; hash: string };
    const raw = got.raw.replace('level: "info"', 'level: "warn"');
    const res = await client.call("config.apply", { raw, baseHash: got.hash });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    const text = readFileSync(file, "utf8");
    expect(text).toContain(BOT_TOKEN);
    expect(text).toContain('level: "warn"');
    expect(text).not.toContain("REDACTED");
  });

  it("rate-limits writes to 30 per minute per device and address", async () => {
    const { client } = await setup();
    for (let i = 0; i < 30; i++) {
      const r = await client.call("config.patch", { raw: "{}", baseHash: "stale" });
      expect(r.error?.code).toBe("CONFLICT");
    }
    const limited = await client.call("config.patch", { raw: "{}", baseHash: "stale" });
    expect(limited).toMatchObject({ ok: false, error: { code: "UNAVAILABLE", retryable: true } });
    expect(limited.error?.details).toMatchObject({ palisadeCode: "PAL_CONFIG_RATE_LIMITED" });
  });

  it("needs operator.admin", async () => {
    const { hash } = await setup();
    const { client } = await connect(gw as GatewayServer, { scopes: ["operator.read", "operator.write"] });
    const r = await client.call("config.patch", { raw: "{}", baseHash: hash });
    expect(r).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN", details: { missingScope: "operator.admin" } },
    });
  });

  it("never accepts a config write that arrives from a chat channel, even with operator.admin", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pal-cfg-"));
    const file = join(dir, "palisade.json");
    writeFileSync(file, TEXT);
    const methods = new MethodRegistry();
    registerConfigMethods(methods, { file, env: {}, now: Date.now });
    for (const method of ["config.apply", "config.patch"]) {
      const res = await dispatch(
        { type: "req", id: "x", method, params: { raw: "{}", baseHash: configHash(TEXT) } },
        {
          connId: "telegram:123",
          role: "operator",
          scopes: [...SCOPES],
          clientAddress: "telegram",
          signal: new AbortController().signal,
          transport: "channel",
        },
        { methods, idempotency: new IdempotencyCache({ now: Date.now }), logger: pino({ level: "silent" }) },
      );
      expect(res).toMatchObject({
        ok: false,
        error: { code: "FORBIDDEN", details: { palisadeCode: "PAL_CONFIG_WRITE_FORBIDDEN" } },
      });
    }
    expect(readFileSync(file, "utf8")).toBe(TEXT);
  });
});
