/**
 * Device pairing end to end over real sockets, with signatures made from real Ed25519 keys by a
 * test client: pending -> approve (RPC and CLI) -> reconnect with the device token -> scopes.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayServer } from "../../src/gateway/index.js";
import { createDeviceStore, openStore } from "../../src/store/index.js";
import { connectDevice, connectOperator, makeDevice, startDeviceGateway } from "../helpers/device.js";
import { TEST_TOKEN } from "../helpers/gateway.js";
import { runCliAsync, tempStateDir } from "../support/cli.js";

let gw: GatewayServer | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const origin = (g: GatewayServer) => ({ Origin: `http://127.0.0.1:${g.port}` });
const READ_WRITE = ["operator.read", "operator.write"];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("device pairing", () => {
  it("pends a browser device, approves it over RPC, then grants it by device token", async () => {
    const started = await startDeviceGateway();
    gw = started.gw;
    const op = await connectOperator(gw);
    const dev = makeDevice();

    const first = await connectDevice(gw, dev, { headers: origin(gw), scopes: READ_WRITE });
    expect(first.res).toMatchObject({
      ok: false,
      error: { code: "NOT_PAIRED", details: { code: "PAIRING_REQUIRED" } },
    });
    const requestId = first.res.error?.details?.requestId as string;
    expect(requestId).toBeTruthy();
    const ev = await op.nextWhere((f) => f.type === "event" && f.event === "device.pair.requested");
    expect(ev?.payload).toMatchObject({ requestId, deviceId: dev.id, role: "operator", scopes: READ_WRITE });

    const list = await op.call("device.pair.list", {});
    expect(list.payload).toMatchObject({ pending: [{ requestId, deviceId: dev.id }], paired: [] });
    const approved = await op.call("device.pair.approve", { requestId });
    expect(approved).toMatchObject({
      ok: true,
      payload: { requestId, device: { deviceId: dev.id, roles: ["operator"] } },
    });

    const second = await connectDevice(gw, dev, { headers: origin(gw), scopes: READ_WRITE });
    expect(second.res.ok).toBe(true);
    expect(second.res.payload?.auth?.scopes).toEqual(READ_WRITE);
    const deviceToken = second.res.payload?.auth?.deviceToken;
    expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await second.client.call("health")).ok).toBe(true);
    expect((await second.client.call("device.pair.list", {})).error?.code).toBe("FORBIDDEN");
    second.client.close();

    // The token alone (no shared secret) now gets the approved scopes, never more.
    const third = await connectDevice(gw, dev, {
      headers: origin(gw),
      auth: { deviceToken: deviceToken as string },
      scopes: [...READ_WRITE, "operator.admin"],
    });
    expect(third.res.ok).toBe(true);
    expect(third.res.payload?.auth?.scopes).toEqual(READ_WRITE);
    expect(third.res.payload?.auth?.deviceToken).toBeUndefined();
    third.client.close();

    // Tokens are stored hashed: the plaintext is nowhere in the database.
    const rows = started.store.db.prepare("SELECT token_hash FROM device_tokens").all() as {
      token_hash: string;
    }[];
    expect(rows.map((r) => r.token_hash)).not.toContain(deviceToken);
    const dump = JSON.stringify(started.store.db.prepare("SELECT * FROM device_tokens").all());
    expect(dump).not.toContain(deviceToken as string);
    op.close();
  });

  it("refuses a wrong device token and a device token presented by another device", async () => {
    const started = await startDeviceGateway();
    gw = started.gw;
    const dev = makeDevice();
    const ok = await connectDevice(gw, dev, { scopes: READ_WRITE });
    const token = ok.res.payload?.auth?.deviceToken as string;
    ok.client.close();
    const wrong = await connectDevice(gw, dev, { auth: { deviceToken: `${token.slice(0, -2)}xx` } });
    expect(wrong.res).toMatchObject({
      ok: false,
      error: { code: "UNAUTHORIZED", details: { code: "AUTH_DEVICE_TOKEN_MISMATCH" } },
    });
    const other = await connectDevice(gw, makeDevice(), { auth: { deviceToken: token } });
    expect(other.res).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
  });

  it("auto-approves only direct loopback without an Origin", async () => {
    const started = await startDeviceGateway({ config: { trustedProxies: ["127.0.0.1"] } });
    gw = started.gw;
    // Loopback through a trusted proxy that forwards a LAN client: pending, never approved.
    const lan = await connectDevice(gw, makeDevice(), { headers: { "X-Forwarded-For": "192.168.1.50" } });
    expect(lan.res).toMatchObject({
      ok: false,
      error: { code: "NOT_PAIRED", details: { code: "PAIRING_REQUIRED" } },
    });
    const tailnet = await connectDevice(gw, makeDevice(), {
      headers: { "X-Forwarded-For": "100.101.102.103" },
    });
    expect(tailnet.res).toMatchObject({ ok: false, error: { code: "NOT_PAIRED" } });
    expect(started.devices.pending().map((p) => p.remoteIp)).toEqual(["192.168.1.50", "100.101.102.103"]);
    expect(started.devices.list()).toEqual([]);
    await gw.close();

    const direct = await startDeviceGateway();
    gw = direct.gw;
    const dev = makeDevice();
    const local = await connectDevice(gw, dev, { scopes: READ_WRITE });
    expect(local.res.ok).toBe(true);
    expect(local.res.payload?.auth).toMatchObject({ scopes: READ_WRITE, deviceToken: expect.any(String) });
    expect(direct.devices.get(dev.id)?.scopes).toEqual(READ_WRITE);
    // The same loopback machine, but from a browser page: never automatic.
    const browser = await connectDevice(gw, makeDevice(), { headers: origin(gw) });
    expect(browser.res).toMatchObject({
      ok: false,
      error: { code: "NOT_PAIRED", details: { code: "PAIRING_REQUIRED" } },
    });
  });

  it("gives a browser Origin nothing for the shared token alone", async () => {
    gw = (await startDeviceGateway()).gw;
    const { RawClient, connectParams } = await import("../helpers/gateway.js");
    const c = new RawClient(gw.url, origin(gw));
    await c.opened;
    await c.next();
    c.send({
      type: "req",
      id: "c1",
      method: "connect",
      params: connectParams({ auth: { token: TEST_TOKEN } }),
    });
    expect(await c.response("c1")).toMatchObject({
      ok: false,
      error: { code: "NOT_PAIRED", details: { code: "CONTROL_UI_DEVICE_IDENTITY_REQUIRED" } },
    });
  });

  it("approves with the CLI over the running gateway", async () => {
    const started = await startDeviceGateway();
    gw = started.gw;
    const dev = makeDevice();
    const first = await connectDevice(gw, dev, { headers: origin(gw), scopes: READ_WRITE });
    const requestId = first.res.error?.details?.requestId as string;
    const list = await runCliAsync(["devices", "list", "--url", gw.url, "--token", TEST_TOKEN]);
    expect(list.stdout).toContain(requestId);
    const r = await runCliAsync([
      "devices",
      "approve",
      requestId,
      "--url",
      gw.url,
      "--token",
      TEST_TOKEN,
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requestId, device: { deviceId: dev.id } });
    const again = await connectDevice(gw, dev, { headers: origin(gw), scopes: READ_WRITE });
    expect(again.res.ok).toBe(true);
    const rm = await runCliAsync(["devices", "remove", dev.id, "--url", gw.url, "--token", TEST_TOKEN]);
    expect(rm.code).toBe(0);
    expect(started.devices.get(dev.id)).toBeUndefined();
  });

  it("approves and rejects with the CLI on the local store when no gateway runs", async () => {
    const dir = tempStateDir({ gateway: { port: await freePort() } });
    const store = openStore({ file: join(dir, "state.sqlite") });
    const devices = createDeviceStore(store);
    const a = devices.request({
      deviceId: "a".repeat(64),
      publicKey: "k",
      role: "operator",
      scopes: ["operator.read"],
    });
    const b = devices.request({ deviceId: "b".repeat(64), publicKey: "k", role: "operator", scopes: [] });
    writeFileSync(join(dir, ".keep"), "");
    const ok = await runCliAsync(["--state-dir", dir, "devices", "approve", a.deviceId]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const no = await runCliAsync(["--state-dir", dir, "devices", "reject", b.requestId]);
    expect(no.code).toBe(0);
    expect(devices.get(a.deviceId)?.scopes).toEqual(["operator.read"]);
    expect(devices.pending()).toEqual([]);
    const missing = await runCliAsync(["--state-dir", dir, "devices", "approve", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not found");
    store.close();
  });
});
