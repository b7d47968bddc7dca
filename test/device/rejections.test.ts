/**
 * Every way a device proof or a device's access is refused, and that revoke, rotate and remove
 * cut an open connection on its next frame.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayServer } from "../../src/gateway/index.js";
import {
  connectDevice,
  connectOperator,
  makeDevice,
  type SignOptions,
  startDeviceGateway,
} from "../helpers/device.js";

let gw: GatewayServer | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const NOW = 1_900_000_000_000;
const READ_WRITE = ["operator.read", "operator.write"];

describe("device proof rejections", () => {
  const other = makeDevice();
  const cases: Array<[string, SignOptions, string]> = [
    ["nonce missing", { nonce: undefined }, "DEVICE_AUTH_NONCE_REQUIRED"],
    [
      "nonce of another connection",
      { nonce: "not-this-connections-nonce", signedNonce: "not-this-connections-nonce" },
      "DEVICE_AUTH_NONCE_MISMATCH",
    ],
    ["signature over another nonce", { signedNonce: "stale" }, "DEVICE_AUTH_SIGNATURE_INVALID"],
    ["signature over other scopes", { scopes: ["operator.read"] }, "DEVICE_AUTH_SIGNATURE_INVALID"],
    ["signature over another token", { token: "something-else" }, "DEVICE_AUTH_SIGNATURE_INVALID"],
    ["signature over another platform", { platform: "windows" }, "DEVICE_AUTH_SIGNATURE_INVALID"],
    ["signed 3 minutes ago", { signedAt: NOW - 3 * 60_000 }, "DEVICE_AUTH_SIGNATURE_EXPIRED"],
    ["signed 3 minutes ahead", { signedAt: NOW + 3 * 60_000 }, "DEVICE_AUTH_SIGNATURE_EXPIRED"],
    ["id of another key", { id: other.id }, "DEVICE_AUTH_DEVICE_ID_MISMATCH"],
    ["key of another device", { publicKey: other.publicKey }, "DEVICE_AUTH_DEVICE_ID_MISMATCH"],
    [
      "key that is not Ed25519",
      { publicKey: Buffer.alloc(33, 7).toString("base64url") },
      "DEVICE_AUTH_PUBLIC_KEY_INVALID",
    ],
    ["key that is not base64url", { publicKey: "not a key!" }, "DEVICE_AUTH_PUBLIC_KEY_INVALID"],
  ];
  for (const [name, sign, code] of cases) {
    it(`refuses ${name} with ${code}`, async () => {
      gw = (await startDeviceGateway({ now: () => NOW })).gw;
      const dev = makeDevice();
      const { client, res } = await connectDevice(gw, dev, {
        sign: { signedAt: NOW, ...sign },
        scopes: READ_WRITE,
      });
      expect(res).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED", details: { code } } });
      expect((await client.closed).code).toBe(1008);
    });
  }

  it("accepts a proof signed within the 2 minute skew", async () => {
    gw = (await startDeviceGateway({ now: () => NOW })).gw;
    const { res } = await connectDevice(gw, makeDevice(), {
      sign: { signedAt: NOW - 110_000 },
      scopes: READ_WRITE,
    });
    expect(res.ok).toBe(true);
  });
});

describe("device access on open connections", () => {
  async function paired() {
    const started = await startDeviceGateway();
    gw = started.gw;
    const dev = makeDevice();
    const first = await connectDevice(gw, dev, { scopes: READ_WRITE });
    const token = first.res.payload?.auth?.deviceToken as string;
    first.client.close();
    const viaToken = await connectDevice(gw, dev, { auth: { deviceToken: token }, scopes: READ_WRITE });
    expect(viaToken.res.ok).toBe(true);
    return { ...started, dev, token, conn: viaToken.client };
  }

  it("cuts an open connection on its next frame once its token is revoked (by another process)", async () => {
    const { devices, dev, conn } = await paired();
    expect((await conn.call("health")).ok).toBe(true);
    devices.revoke(dev.id, "operator");
    const res = await conn.call("health");
    expect(res).toMatchObject({
      ok: false,
      error: { code: "NOT_PAIRED", details: { code: "DEVICE_ACCESS_REVOKED" } },
    });
    expect((await conn.closed).code).toBe(1008);
  });

  it("cuts an open connection on its next frame once the device is removed", async () => {
    const { devices, dev, conn } = await paired();
    devices.remove(dev.id);
    expect((await conn.call("health")).ok).toBe(false);
    expect((await conn.closed).code).toBe(1008);
  });

  it("cuts the connection of a rotated-away token, and the old token stops working", async () => {
    const { devices, dev, conn, token } = await paired();
    const rotated = devices.rotate(dev.id, "operator", ["operator.read"]);
    expect((await conn.call("health")).ok).toBe(false);
    const old = await connectDevice(gw as GatewayServer, dev, { auth: { deviceToken: token } });
    expect(old.res.ok).toBe(false);
    const fresh = await connectDevice(gw as GatewayServer, dev, { auth: { deviceToken: rotated.token } });
    expect(fresh.res.payload?.auth?.scopes).toEqual(["operator.read"]);
  });

  it("revoke and remove over RPC close the device's open connections at once", async () => {
    const { dev, conn } = await paired();
    const op = await connectOperator(gw as GatewayServer);
    const r = await op.call("device.token.revoke", { deviceId: dev.id, role: "operator" });
    expect(r.ok).toBe(true);
    expect((await conn.closed).code).toBe(1008);
    const again = await connectDevice(gw as GatewayServer, dev, { scopes: READ_WRITE });
    expect(again.res).toMatchObject({
      ok: false,
      error: { code: "NOT_PAIRED", details: { code: "DEVICE_TOKEN_REVOKED" } },
    });
    op.close();
  });

  it("never lets rotate widen a device's scopes", async () => {
    const { dev } = await paired();
    const op = await connectOperator(gw as GatewayServer);
    const wider = await op.call("device.token.rotate", {
      deviceId: dev.id,
      role: "operator",
      scopes: ["operator.read", "operator.admin"],
    });
    expect(wider).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN", details: { palisadeCode: "PAL_DEVICE_SCOPE_WIDEN" } },
    });
    const narrower = await op.call("device.token.rotate", {
      deviceId: dev.id,
      role: "operator",
      scopes: ["operator.read"],
    });
    expect(narrower).toMatchObject({
      ok: true,
      payload: { scopes: ["operator.read"], token: expect.any(String) },
    });
    const node = await op.call("device.token.rotate", { deviceId: dev.id, role: "node" });
    expect(node.ok).toBe(false);
    op.close();
  });

  it("does not let a pairing-only operator approve more than it holds", async () => {
    const started = await startDeviceGateway();
    gw = started.gw;
    const req = started.devices.request({
      deviceId: "c".repeat(64),
      publicKey: "k",
      role: "operator",
      scopes: ["operator.admin"],
    });
    const { connect } = await import("../helpers/gateway.js");
    const { client } = await connect(gw, { scopes: ["operator.pairing"] });
    const r = await client.call("device.pair.approve", { requestId: req.requestId });
    expect(r).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(started.devices.get("c".repeat(64))).toBeUndefined();
    client.close();
  });
});
