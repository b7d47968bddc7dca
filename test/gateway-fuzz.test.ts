import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { GatewayServer } from "../src/gateway/index.js";
import { connect, connectParams, httpRequest, RawClient, startTestGateway } from "./helpers/gateway.js";

let gw: GatewayServer;
let canaryCalls = 0;

beforeAll(async () => {
  gw = await startTestGateway({ handshakeTimeoutMs: 1_000 });
  gw.methods.register({
    name: "test.canary",
    scope: null,
    params: z.unknown(),
    handler: () => ++canaryCalls,
  });
  gw.methods.register({
    name: "test.admin",
    scope: "operator.admin",
    params: z.unknown(),
    handler: () => ++canaryCalls,
  });
});
afterAll(async () => {
  await gw.close();
});

const frameShape = fc.record(
  {
    type: fc.oneof(fc.constantFrom("req", "res", "event", "cancel", "hello"), fc.string()),
    id: fc.oneof(fc.string({ maxLength: 200 }), fc.integer(), fc.constant(null)),
    method: fc.oneof(
      fc.constantFrom("connect", "health", "test.canary", "test.admin", "logs.tail"),
      fc.string(),
    ),
    params: fc.oneof(fc.jsonValue(), fc.constant(connectParams({ auth: { token: "guess" } }))),
    ok: fc.boolean(),
  },
  { requiredKeys: [] },
);

type Payload = { data: string | Uint8Array; binary: boolean };
const payloads: fc.Arbitrary<Payload> = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((data) => ({ data, binary: true })),
  fc.string({ maxLength: 2048 }).map((data) => ({ data, binary: false })),
  fc.json().map((data) => ({ data, binary: false })),
  frameShape.map((f) => ({ data: JSON.stringify(f), binary: false })),
);

/** Sends payloads, then asks for the canaries; returns every frame seen until close or a marker. */
async function probe(client: RawClient, sends: Payload[]): Promise<Record<string, unknown>[]> {
  for (const p of sends) {
    if (client.ws.readyState !== client.ws.OPEN) break;
    client.ws.send(p.data, { binary: p.binary });
  }
  if (client.ws.readyState === client.ws.OPEN) {
    client.send({ type: "req", id: "canary", method: "test.canary" });
    client.send({ type: "req", id: "admin", method: "test.admin" });
    client.send({ type: "req", id: "marker", method: "health" });
  }
  const seen: Record<string, unknown>[] = [];
  for (;;) {
    const f = await client.next();
    if (f === undefined) break;
    seen.push(f);
    if (f.id === "marker") break;
  }
  client.close();
  return seen;
}

async function serverAlive(): Promise<void> {
  const res = await httpRequest(gw.port, { path: "/healthz", headers: { Host: `127.0.0.1:${gw.port}` } });
  expect(res.status).toBe(200);
}

describe("gateway under arbitrary input", () => {
  it("never serves a method before connect, whatever arrives first", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(payloads, { minLength: 1, maxLength: 4 }), async (sends) => {
        const client = new RawClient(gw.url);
        await client.opened;
        const seen = await probe(client, sends);
        expect(seen[0]).toMatchObject({ event: "connect.challenge" });
        for (const f of seen) {
          if (f.type === "res") expect(f.ok, JSON.stringify(f).slice(0, 200)).toBe(false);
        }
        expect(canaryCalls).toBe(0);
      }),
      { numRuns: 60 },
    );
    await serverAlive();
  });

  it("after connect without scopes, arbitrary frames never reach a scoped method or crash the server", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(payloads, { maxLength: 4 }), async (sends) => {
        const { client, res } = await connect(gw, { scopes: [] });
        expect(res).toMatchObject({ ok: true, payload: { auth: { scopes: [] } } });
        const seen = await probe(client, sends);
        for (const f of seen) {
          if (f.id === "admin" || f.id === "marker")
            expect(f).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
        }
        expect(seen.some((f) => f.type === "res" && f.ok === true && f.id !== "canary")).toBe(false);
      }),
      { numRuns: 60 },
    );
    await serverAlive();
    const { client, res } = await connect(gw);
    expect(res).toMatchObject({ ok: true });
    expect((await client.call("health")).ok).toBe(true);
    client.close();
  });

  it("never answers HTTP with a 5xx or without security headers for arbitrary paths and headers", async () => {
    const before = canaryCalls;
    const token = fc.stringMatching(/^[!-~]{0,40}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "HEAD", "PUT", "OPTIONS"),
        fc.stringMatching(/^\/[A-Za-z0-9._~%?=&/-]{0,60}$/),
        fc.option(token),
        fc.option(fc.constantFrom("http://127.0.0.1", "https://evil.example", "null", "file://x")),
        async (method, path, auth, origin) => {
          const headers: Record<string, string> = { Host: `127.0.0.1:${gw.port}` };
          if (auth !== null) headers.Authorization = `Bearer ${auth}`;
          if (origin !== null) headers.Origin = origin;
          const res = await httpRequest(gw.port, {
            method,
            path,
            headers,
            ...(method === "POST" ? { body: "{}" } : {}),
          });
          expect(res.status).toBeLessThan(500);
          expect(res.headers["x-content-type-options"]).toBe("nosniff");
        },
      ),
      { numRuns: 80 },
    );
    expect(canaryCalls).toBe(before);
  });
});
