import { afterEach, describe, expect, it } from "vitest";
import type { GatewayServer } from "../src/gateway/index.js";
import { connect, httpRequest, RawClient, startTestGateway, TEST_TOKEN } from "./helpers/gateway.js";

let gw: GatewayServer | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const SECURITY = {
  "content-security-policy": expect.stringContaining("frame-ancestors 'none'"),
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function host(g: GatewayServer): string {
  return `127.0.0.1:${g.port}`;
}

const upgradeHeaders = {
  Connection: "Upgrade",
  Upgrade: "websocket",
  "Sec-WebSocket-Version": "13",
  "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
};

describe("refusing to start on an unsafe bind", () => {
  const remote = { listen: { port: 0 } };
  it.each([
    ["auth none", { bind: "lan", auth: { mode: "none" } }, {}],
    ["an empty token", { bind: "lan" }, { token: "" }],
    ["a placeholder token", { bind: "lan" }, { token: "changeme" }],
    ["an unresolved ${VAR} token", { bind: "lan" }, { token: "${PALISADE_GATEWAY_TOKEN_THAT_IS_LONG}" }],
    ["a token under 32 characters", { bind: "lan" }, { token: "a1b2c3d4e5f6a7b8c9d0" }],
    ["a placeholder password", { bind: "lan", auth: { mode: "password" } }, { password: "password" }],
    ["trusted-proxy without proxies", { bind: "lan", auth: { mode: "trusted-proxy" } }, {}],
  ])("refuses a non-loopback bind with %s", async (_name, config, auth) => {
    await expect(startTestGateway({ ...remote, config, auth })).rejects.toMatchObject({
      code: "PAL_GATEWAY_UNSAFE_BIND",
    });
  });

  it("refuses tailscale funnel without password auth, even on loopback", async () => {
    await expect(startTestGateway({ config: { tailscale: { mode: "funnel" } } })).rejects.toMatchObject({
      code: "PAL_GATEWAY_UNSAFE_BIND",
      message: expect.stringContaining("funnel"),
    });
  });

  it("refuses tailnet when no interface is in 100.64.0.0/10", async () => {
    const interfaces = () => ({
      eth0: [
        {
          address: "192.168.1.5",
          family: "IPv4" as const,
          internal: false,
          netmask: "255.255.255.0",
          mac: "00:00:00:00:00:00",
          cidr: "192.168.1.5/24",
        },
      ],
    });
    await expect(
      startTestGateway({ ...remote, config: { bind: "tailnet" }, interfaces }),
    ).rejects.toMatchObject({ code: "PAL_GATEWAY_UNSAFE_BIND" });
  });

  it("starts on lan with a strong token", async () => {
    gw = await startTestGateway({ ...remote, config: { bind: "lan" } });
    expect(gw.host).toBe("0.0.0.0");
  });
});

describe("browser attacks", () => {
  it("refuses a foreign Origin on the WebSocket upgrade and on HTTP", async () => {
    gw = await startTestGateway();
    const ws = new RawClient(gw.url, { Origin: "https://evil.example" });
    await expect(ws.opened).rejects.toThrow("HTTP 403");
    const res = await httpRequest(gw.port, {
      path: "/healthz",
      headers: { Host: host(gw), Origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(res.headers).toMatchObject(SECURITY);
    const nul = await httpRequest(gw.port, { path: "/healthz", headers: { Host: host(gw), Origin: "null" } });
    expect(nul.status).toBe(403);
  });

  it("lets the gateway's own origin upgrade but grants a browser nothing without a paired device", async () => {
    gw = await startTestGateway();
    const { client, res } = await connect(gw, {}, { Origin: `http://${host(gw)}` });
    expect(res).toMatchObject({ ok: false, error: { code: "NOT_PAIRED" } });
    expect((await client.closed).code).toBe(1008);
  });

  it("honours controlUi.allowedOrigins for the upgrade, still without scopes", async () => {
    gw = await startTestGateway({ config: { controlUi: { allowedOrigins: ["https://ui.example.com"] } } });
    const { res } = await connect(
      gw,
      { device: { id: "d", publicKey: "k", signature: "s", signedAt: 1, nonce: "n" } },
      { Origin: "https://ui.example.com" },
    );
    // A made-up device never gets as far as pairing: its proof fails first.
    expect(res).toMatchObject({
      ok: false,
      error: { code: "UNAUTHORIZED", details: { code: "DEVICE_AUTH_NONCE_MISMATCH" } },
    });
  });

  it("refuses a Host that does not name the gateway (DNS rebinding)", async () => {
    gw = await startTestGateway();
    const res = await httpRequest(gw.port, {
      path: "/healthz",
      headers: { Host: `rebind.evil.example:${gw.port}` },
    });
    expect(res.status).toBe(421);
    expect(res.headers).toMatchObject(SECURITY);
    const up = await httpRequest(gw.port, {
      headers: { ...upgradeHeaders, Host: `rebind.evil.example:${gw.port}` },
    });
    expect(up.status).toBe(421);
    expect(up.headers).toMatchObject(SECURITY);
    for (const ok of [`localhost:${gw.port}`, `localhost.:${gw.port}`, host(gw), `[::1]:${gw.port}`]) {
      expect((await httpRequest(gw.port, { path: "/healthz", headers: { Host: ok } })).status, ok).toBe(200);
    }
  });
});

describe("credentials", () => {
  it("rejects a token or password in the query string with 400, even when correct", async () => {
    gw = await startTestGateway();
    for (const path of [
      `/?token=${TEST_TOKEN}`,
      "/healthz?password=hunter2",
      `/rpc?t=${TEST_TOKEN}`,
      "/?access_token=x",
    ]) {
      const res = await httpRequest(gw.port, { path, headers: { Host: host(gw) } });
      expect(res.status, path).toBe(400);
      expect(res.headers).toMatchObject(SECURITY);
    }
    const ws = new RawClient(`${gw.url}/?token=${TEST_TOKEN}`);
    await expect(ws.opened).rejects.toThrow("HTTP 400");
  });

  it("answers a bad token with an error and closes 1008", async () => {
    gw = await startTestGateway();
    const { client, res } = await connect(gw, { auth: { token: "wrong".repeat(10) } });
    expect(res).toMatchObject({
      ok: false,
      error: { code: "UNAUTHORIZED", details: { code: "AUTH_TOKEN_MISMATCH" } },
    });
    expect(JSON.stringify(res)).not.toContain(TEST_TOKEN);
    expect((await client.closed).code).toBe(1008);
    const missing = await connect(gw, { auth: {} });
    expect(missing.res).toMatchObject({ ok: false, error: { details: { code: "AUTH_TOKEN_MISSING" } } });
  });

  it("authenticates HTTP RPC with Authorization: Bearer only", async () => {
    gw = await startTestGateway();
    const body = JSON.stringify({ method: "health" });
    const ok = await httpRequest(gw.port, {
      method: "POST",
      path: "/rpc",
      body,
      headers: { Host: host(gw), Authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, payload: { ok: true } });
    const bad = await httpRequest(gw.port, {
      method: "POST",
      path: "/rpc",
      body,
      headers: { Host: host(gw), Authorization: "Bearer nope" },
    });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { details: { code: "AUTH_TOKEN_MISMATCH" } } });
    expect(bad.headers).toMatchObject(SECURITY);
  });

  it("locks out an address after repeated failures, loopback included", async () => {
    let now = 1_000_000;
    gw = await startTestGateway({
      now: () => now,
      config: { auth: { rateLimit: { maxAttempts: 3, windowMs: 60_000, lockoutMs: 60_000 } } },
    });
    for (let i = 0; i < 3; i++) {
      const { res } = await connect(
        gw,
        { auth: { token: `bad-${i}` } },
        { "X-Forwarded-For": `198.51.100.${i}` },
      );
      expect(res).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
    }
    const locked = await connect(gw);
    expect(locked.res).toMatchObject({
      ok: false,
      error: { code: "UNAVAILABLE", retryable: true, details: { code: "AUTH_RATE_LIMITED" } },
    });
    expect((locked.res.error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    const http = await httpRequest(gw.port, {
      method: "POST",
      path: "/rpc",
      body: "{}",
      headers: { Host: host(gw), Authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(http.status).toBe(429);
    now += 60_001;
    const after = await connect(gw);
    expect(after.res).toMatchObject({ ok: true });
    after.client.close();
  });
});

describe("proxies", () => {
  const proxyCfg = (trustedProxies: string[]) => ({
    auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user" } },
    trustedProxies,
  });

  it("ignores the identity header from an address that is not a trusted proxy", async () => {
    gw = await startTestGateway({ config: proxyCfg(["10.9.9.9"]) });
    const { res } = await connect(gw, {}, { "X-Forwarded-User": "alice", "X-Forwarded-For": "10.9.9.9" });
    expect(res).toMatchObject({
      ok: false,
      error: { code: "UNAUTHORIZED", details: { code: "AUTH_UNAUTHORIZED" } },
    });
  });

  it("honours the identity header from a trusted proxy, also written as IPv4-mapped IPv6", async () => {
    for (const entry of ["127.0.0.1", "::ffff:127.0.0.1", "127.0.0.0/8"]) {
      gw = await startTestGateway({ config: proxyCfg([entry]) });
      const { client, res } = await connect(
        gw,
        { auth: {}, scopes: ["operator.read"] },
        { "X-Forwarded-User": "alice", "X-Forwarded-For": "203.0.113.7" },
      );
      expect(res, entry).toMatchObject({ ok: true, payload: { auth: { scopes: ["operator.read"] } } });
      const missing = await connect(gw, { auth: {} }, { "X-Forwarded-For": "203.0.113.7" });
      expect(missing.res).toMatchObject({
        ok: false,
        error: { details: { code: "AUTH_IDENTITY_HEADER_REQUIRED" } },
      });
      client.close();
      await gw.close();
      gw = undefined;
    }
  });

  it("accepts an IPv4-mapped IPv6 peer on a dual-stack bind as loopback", async () => {
    gw = await startTestGateway({ listen: { host: "::", port: 0 } });
    const { client, res } = await connect(
      { url: `ws://127.0.0.1:${gw.port}` },
      { scopes: ["operator.read"] },
    );
    expect(res).toMatchObject({ ok: true, payload: { auth: { scopes: ["operator.read"] } } });
    client.close();
  });

  it("never trusts X-Forwarded-For from an untrusted peer: no local grant, no lockout escape", async () => {
    gw = await startTestGateway();
    const { client, res } = await connect(gw, {}, { "X-Forwarded-For": "127.0.0.1" });
    expect(res).toMatchObject({ ok: true, payload: { auth: { scopes: [] } } });
    expect((await client.call("health")).error?.code).toBe("FORBIDDEN");
    client.close();
  });

  it("uses the forwarded client behind a trusted proxy: not local, and rate-limited per client", async () => {
    gw = await startTestGateway({
      config: {
        trustedProxies: ["127.0.0.1"],
        auth: { rateLimit: { maxAttempts: 1, windowMs: 60_000, lockoutMs: 60_000 } },
      },
    });
    const remote = await connect(gw, {}, { "X-Forwarded-For": "203.0.113.50" });
    expect(remote.res).toMatchObject({ ok: true, payload: { auth: { scopes: [] } } });
    remote.client.close();
    const bad = await connect(gw, { auth: { token: "bad" } }, { "X-Forwarded-For": "203.0.113.66" });
    expect(bad.res).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
    const locked = await connect(gw, {}, { "X-Forwarded-For": "203.0.113.66" });
    expect(locked.res).toMatchObject({ ok: false, error: { details: { code: "AUTH_RATE_LIMITED" } } });
    const other = await connect(gw, {}, { "X-Forwarded-For": "203.0.113.67" });
    expect(other.res).toMatchObject({ ok: true });
    other.client.close();
  });
});

describe("HTTP surface", () => {
  it("caps request bodies, declared or chunked", async () => {
    gw = await startTestGateway({ config: { maxBodyBytes: 1024 } });
    const headers = { Host: host(gw), Authorization: `Bearer ${TEST_TOKEN}` };
    const big = JSON.stringify({ method: "health", params: { pad: "x".repeat(4096) } });
    const declared = await httpRequest(gw.port, {
      method: "POST",
      path: "/rpc",
      body: big,
      headers: { ...headers, "Content-Length": String(big.length) },
    });
    expect(declared.status).toBe(413);
    expect(declared.headers).toMatchObject(SECURITY);
    const chunked = await httpRequest(gw.port, {
      method: "POST",
      path: "/rpc",
      body: big,
      headers: { ...headers, "Transfer-Encoding": "chunked" },
    });
    expect(chunked.status).toBe(413);
  });

  it("serves /healthz and /readyz, naming the first stage not ready", async () => {
    gw = await startTestGateway();
    const h = { Host: host(gw) };
    const health = await httpRequest(gw.port, { path: "/healthz", headers: h });
    expect(health.status).toBe(200);
    expect(health.headers).toMatchObject(SECURITY);
    expect((await httpRequest(gw.port, { path: "/readyz", headers: h })).status).toBe(200);
    gw.readiness.set("store", true);
    gw.readiness.set("channels", false);
    const nr = await httpRequest(gw.port, { path: "/readyz", headers: h });
    expect(nr.status).toBe(503);
    expect(JSON.parse(nr.body)).toEqual({ ready: false, stage: "channels" });
    gw.readiness.set("channels", true);
    expect((await httpRequest(gw.port, { path: "/readyz", headers: h })).status).toBe(200);
    const missing = await httpRequest(gw.port, { path: "/nope", headers: h });
    expect(missing.status).toBe(404);
    expect(missing.headers).toMatchObject(SECURITY);
  });
});
