import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { GatewayServer } from "../src/gateway/index.js";
import { connect, connectParams, RawClient, startTestGateway, TEST_TOKEN } from "./helpers/gateway.js";

let gw: GatewayServer | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe("gateway protocol v4 conformance", () => {
  it("sends connect.challenge first, then hello-ok in OpenClaw's shape", async () => {
    gw = await startTestGateway();
    const { client, challenge, res } = await connect(gw);
    expect(challenge).toMatchObject({ type: "event", event: "connect.challenge" });
    const cp = challenge?.payload as { nonce: unknown; ts: unknown };
    expect(typeof cp.nonce).toBe("string");
    expect(Number.isInteger(cp.ts) && (cp.ts as number) >= 0).toBe(true);
    expect(res).toMatchObject({ type: "res", id: "c1", ok: true });
    const hello = z
      .object({
        type: z.literal("hello-ok"),
        protocol: z.literal(4),
        server: z.object({ version: z.string().min(1), connId: z.string().min(1) }),
        features: z.object({ methods: z.array(z.string()), events: z.array(z.string()) }),
        snapshot: z.object({
          presence: z.array(z.object({ ts: z.number() }).loose()),
          health: z.object({}).loose(),
          stateVersion: z.object({ presence: z.number(), health: z.number() }),
          uptimeMs: z.number(),
        }),
        auth: z.object({ role: z.literal("operator"), scopes: z.array(z.string()) }),
        policy: z.object({
          maxPayload: z.number(),
          maxBufferedBytes: z.number(),
          tickIntervalMs: z.number(),
        }),
      })
      .parse(res.payload);
    expect(hello.features.methods).toEqual(
      expect.arrayContaining(["health", "status", "logs.tail", "system-presence"]),
    );
    expect(hello.features.events).toEqual(expect.arrayContaining(["tick", "shutdown"]));
    expect(hello.auth.scopes).toEqual(["operator.read", "operator.write", "operator.admin"]);
    expect(hello.policy.maxPayload).toBe(4 * 1024 * 1024);
    client.close();
  });

  it("accepts the gateway-client backend identity and ignores unknown scopes", async () => {
    gw = await startTestGateway();
    const { client, res } = await connect(gw, {
      client: {
        id: "gateway-client",
        version: "1",
        platform: "linux",
        mode: "backend",
        displayName: "helper",
      },
      scopes: ["operator.read", "operator.superuser", "admin"],
    });
    expect((res.payload as { auth: { scopes: string[] } }).auth.scopes).toEqual(["operator.read"]);
    client.close();
  });

  it("answers health, status, logs.tail and system-presence in OpenClaw's shapes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pal-gw-"));
    const logFile = join(dir, "gateway.log");
    writeFileSync(
      logFile,
      `${JSON.stringify({ msg: "one" })}\n${JSON.stringify({ msg: `key ${TEST_TOKEN}` })}\n`,
    );
    gw = await startTestGateway({ logFile, redact: (t) => t.replaceAll(TEST_TOKEN, "***") });
    const { client } = await connect(gw);

    const health = await client.call("health");
    expect(health.ok).toBe(true);
    z.object({
      ok: z.literal(true),
      ts: z.number(),
      durationMs: z.number(),
      channels: z.record(z.string(), z.unknown()),
      channelOrder: z.array(z.string()),
      channelLabels: z.record(z.string(), z.string()),
      heartbeatSeconds: z.number(),
      defaultAgentId: z.string(),
      agents: z.array(z.unknown()),
      sessions: z.object({ path: z.string(), count: z.number(), recent: z.array(z.unknown()) }),
    }).parse(health.payload);

    const status = await client.call("status", {});
    expect(status.ok).toBe(true);
    z.object({
      heartbeat: z.object({ defaultAgentId: z.string(), agents: z.array(z.unknown()) }),
      channelSummary: z.array(z.string()),
      queuedSystemEvents: z.array(z.string()),
      tasks: z.object({
        total: z.number(),
        active: z.number(),
        terminal: z.number(),
        failures: z.number(),
        byStatus: z.record(z.string(), z.number()),
        byRuntime: z.record(z.string(), z.number()),
      }),
      taskAudit: z.object({
        total: z.number(),
        warnings: z.number(),
        errors: z.number(),
        byCode: z.record(z.string(), z.number()),
      }),
      sessions: z.object({
        paths: z.array(z.string()),
        count: z.number(),
        defaults: z.object({ model: z.null(), contextTokens: z.null() }),
        recent: z.array(z.unknown()),
        byAgent: z.array(z.unknown()),
      }),
    }).parse(status.payload);

    const logs = await client.call("logs.tail", { limit: 10, maxBytes: 10_000 });
    expect(logs.ok).toBe(true);
    const tail = z
      .object({
        file: z.string().min(1),
        cursor: z.number(),
        size: z.number(),
        lines: z.array(z.string()),
        truncated: z.boolean(),
        reset: z.boolean(),
      })
      .parse(logs.payload);
    expect(tail.file).toBe(logFile);
    expect(tail.lines).toHaveLength(2);
    expect(tail.lines.join("\n")).not.toContain(TEST_TOKEN);
    expect(tail.lines[1]).toContain("***");
    expect(tail.cursor).toBe(tail.size);

    const bad = await client.call("logs.tail", { limit: 0 });
    expect(bad.error?.code).toBe("INVALID_REQUEST");

    const presence = await client.call("system-presence");
    expect(presence.ok).toBe(true);
    const entries = z
      .array(
        z
          .object({ ts: z.number(), mode: z.string().optional(), roles: z.array(z.string()).optional() })
          .loose(),
      )
      .parse(presence.payload);
    expect(entries.some((e) => e.mode === "gateway")).toBe(true);
    expect(entries.some((e) => e.mode === "cli" && e.roles?.includes("operator"))).toBe(true);
    client.close();
  });

  it("refuses a protocol range without 4 with PROTOCOL_MISMATCH", async () => {
    gw = await startTestGateway();
    const { client, res } = await connect(gw, { minProtocol: 1, maxProtocol: 3 });
    expect(res).toMatchObject({
      ok: false,
      error: { code: "PROTOCOL_MISMATCH", details: { expectedProtocol: 4 } },
    });
    expect((await client.closed).code).toBe(1002);
  });

  it("closes 1008 when the first frame is not a connect request", async () => {
    gw = await startTestGateway();
    const client = new RawClient(gw.url);
    await client.opened;
    await client.next();
    client.send({ type: "req", id: "x", method: "health" });
    const res = await client.response("x");
    expect(res).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    expect((await client.closed).code).toBe(1008);

    const junk = new RawClient(gw.url);
    await junk.opened;
    junk.send("not json at all");
    expect((await junk.closed).code).toBe(1008);
  });

  it("closes 1008 after the handshake timeout", async () => {
    gw = await startTestGateway({ handshakeTimeoutMs: 50 });
    const client = new RawClient(gw.url);
    await client.opened;
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1008, reason: "handshake timeout" });
  });

  it("refuses pre-connect frames over 64 KiB but allows large frames after connect", async () => {
    gw = await startTestGateway();
    const client = new RawClient(gw.url);
    await client.opened;
    client.send({ type: "req", id: "c1", method: "connect", params: { pad: "x".repeat(70 * 1024) } });
    expect((await client.closed).code).toBe(1009);

    const { client: ok } = await connect(gw);
    const res = await ok.call("status", { pad: "y".repeat(200 * 1024) });
    expect(res.ok).toBe(true);
    ok.close();
  });

  it("names an unknown method in INVALID_REQUEST", async () => {
    gw = await startTestGateway();
    const { client } = await connect(gw);
    const res = await client.call("no.such.method", {});
    expect(res.error).toMatchObject({ code: "INVALID_REQUEST", details: { method: "no.such.method" } });
    expect(res.error?.message).toContain("no.such.method");
    client.close();
  });

  it("turns unexpected handler errors into a generic internal error", async () => {
    gw = await startTestGateway();
    gw.methods.register({
      name: "test.boom",
      scope: "operator.read",
      params: z.unknown(),
      handler: () => {
        throw new Error(`ENOENT /root/.palisade/credentials token=${TEST_TOKEN}`);
      },
    });
    const { client } = await connect(gw);
    const res = await client.call("test.boom");
    expect(res.error).toEqual({ code: "INTERNAL", message: "internal error" });
    client.close();
  });

  it("answers FORBIDDEN with MISSING_SCOPE details when a scope is missing", async () => {
    gw = await startTestGateway();
    const { client, res } = await connect(gw, { scopes: ["operator.pairing"] });
    expect((res.payload as { auth: { scopes: string[] } }).auth.scopes).toEqual(["operator.pairing"]);
    const health = await client.call("health");
    expect(health.error).toMatchObject({
      code: "FORBIDDEN",
      message: "missing scope: operator.read",
      details: { code: "MISSING_SCOPE", missingScope: "operator.read", requiredScopes: ["operator.read"] },
    });
    client.close();
  });

  it("replays side-effecting methods by idempotencyKey and refuses key reuse with other params", async () => {
    gw = await startTestGateway();
    let runs = 0;
    gw.methods.register({
      name: "test.bump",
      scope: "operator.write",
      sideEffect: true,
      params: z.object({ idempotencyKey: z.string(), n: z.number() }),
      handler: (p) => ({ run: ++runs, n: p.n }),
    });
    const { client } = await connect(gw);
    const missing = await client.call("test.bump", { n: 1 });
    expect(missing.error?.code).toBe("INVALID_REQUEST");
    expect(missing.error?.message).toContain("idempotencyKey");
    const first = await client.call("test.bump", { idempotencyKey: "k1", n: 1 });
    const again = await client.call("test.bump", { n: 1, idempotencyKey: "k1" });
    expect(first.payload).toEqual({ run: 1, n: 1 });
    expect(again.payload).toEqual({ run: 1, n: 1 });
    expect(runs).toBe(1);
    const reuse = await client.call("test.bump", { idempotencyKey: "k1", n: 2 });
    expect(reuse.error?.code).toBe("INVALID_REQUEST");
    expect(reuse.error?.details).toMatchObject({ palisadeCode: "PAL_PROTO_IDEMPOTENCY_REUSED" });
    expect(runs).toBe(1);
    client.close();
  });

  it("numbers events per connection in order and filters them by scope", async () => {
    gw = await startTestGateway();
    const { client: reader } = await connect(gw, { scopes: ["operator.read"] });
    const { client: pairer } = await connect(gw, { scopes: ["operator.pairing"] });
    for (let i = 0; i < 5; i++) gw.broadcast("test.event", { i });
    gw.broadcast("test.admin", { secret: true }, { scope: "operator.admin" });
    gw.broadcast("test.done", {}, { scope: "operator.pairing" });
    gw.broadcast("test.end", {}, { scope: "operator.read" });
    const seqs: number[] = [];
    const names: string[] = [];
    for (;;) {
      const f = await reader.next();
      if (f === undefined) throw new Error("closed early");
      if (f.type !== "event") continue;
      seqs.push(f.seq as number);
      names.push(f.event as string);
      if (f.event === "test.end") break;
    }
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(names.filter((n) => n === "test.event")).toHaveLength(5);
    expect(names).not.toContain("test.admin");
    const done = await pairer.nextWhere((f) => f.event === "test.done");
    expect(done).toBeDefined();
    expect(pairer.frames.some((f) => f.event === "test.event")).toBe(false);
    reader.close();
    pairer.close();
  });

  it("sends tick events", async () => {
    gw = await startTestGateway({ tickIntervalMs: 20 });
    const { client } = await connect(gw);
    const tick = await client.nextWhere((f) => f.event === "tick");
    expect(tick).toMatchObject({ type: "event", event: "tick", payload: { ts: expect.any(Number) } });
    client.close();
  });

  it("disconnects a slow consumer instead of buffering without bound", async () => {
    gw = await startTestGateway({ maxBufferedBytes: 256 * 1024 });
    const { client } = await connect(gw);
    const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const big = "z".repeat(256 * 1024);
    for (let i = 0; i < 200; i++) gw.broadcast("test.big", { i, big });
    socket.resume();
    const closed = await client.closed;
    expect(closed.code).not.toBe(1000);
    const received = client.frames.filter((f) => f.event === "test.big").length;
    expect(received).toBeLessThan(200);
  });

  it("refuses a second connect and keeps the connection", async () => {
    gw = await startTestGateway();
    const { client } = await connect(gw);
    const again = await client.call("connect", connectParams());
    expect(again.error?.code).toBe("INVALID_REQUEST");
    expect((await client.call("health")).ok).toBe(true);
    client.close();
  });

  it("drains, sends shutdown and closes 1012 on close()", async () => {
    const server = await startTestGateway();
    let release: () => void = () => {};
    server.methods.register({
      name: "test.slow",
      scope: "operator.read",
      params: z.unknown(),
      handler: () => new Promise((r) => (release = () => r({ done: true }))),
    });
    const { client } = await connect(server);
    client.send({ type: "req", id: "slow", method: "test.slow" });
    await new Promise((r) => setTimeout(r, 20));
    const closing = server.close("maintenance");
    release();
    const res = await client.response("slow");
    expect(res).toMatchObject({ ok: true, payload: { done: true } });
    const shutdown = await client.nextWhere((f) => f.event === "shutdown");
    expect(shutdown).toMatchObject({ payload: { reason: "maintenance" } });
    expect((await client.closed).code).toBe(1012);
    await closing;
  });
});
