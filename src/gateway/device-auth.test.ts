import { createHash, generateKeyPairSync, sign } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildDevicePayloadV3, verifyDeviceProof } from "./device-auth.js";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
const id = createHash("sha256").update(raw).digest("hex");
const NOW = 1_800_000_000_000;
const ctx = {
  challengeNonce: "nonce-1",
  now: NOW,
  clientId: "cli",
  clientMode: "cli",
  role: "operator",
  scopes: ["operator.read", "operator.write"],
  token: "tok",
  platform: " Linux ",
  deviceFamily: undefined,
};
const payload = buildDevicePayloadV3({ deviceId: id, signedAtMs: NOW, nonce: "nonce-1", ...ctx });
const signature = sign(null, Buffer.from(payload), privateKey).toString("base64url");
const device = { id, publicKey: raw.toString("base64url"), signature, signedAt: NOW, nonce: "nonce-1" };

describe("device proof (v3)", () => {
  it("builds OpenClaw's field order with normalized platform and empty token/family", () => {
    expect(
      buildDevicePayloadV3({
        ...ctx,
        deviceId: "d",
        signedAtMs: 5,
        nonce: "n",
        token: undefined,
        deviceFamily: "IPhone",
      }),
    ).toBe("v3|d|cli|cli|operator|operator.read,operator.write|5||n|linux|iphone");
  });

  it("accepts the genuine proof", () => {
    expect(verifyDeviceProof(device, ctx)).toMatchObject({ ok: true, deviceId: id });
  });

  it("rejects any single-byte change of the signed payload", () => {
    fc.assert(
      fc.property(fc.nat(payload.length - 1), fc.integer({ min: 1, max: 255 }), (i, delta) => {
        const bytes = Buffer.from(payload);
        bytes[i] = ((bytes[i] ?? 0) + delta) % 256;
        const forged = sign(null, bytes, privateKey).toString("base64url");
        // A signature over a different payload never verifies for this connection's fields.
        expect(verifyDeviceProof({ ...device, signature: forged }, ctx).ok).toBe(false);
      }),
    );
  });

  it("rejects any single-byte change of the signature", () => {
    fc.assert(
      fc.property(fc.nat(63), fc.integer({ min: 1, max: 255 }), (i, delta) => {
        const sig = Buffer.from(signature, "base64url");
        sig[i] = ((sig[i] ?? 0) + delta) % 256;
        expect(verifyDeviceProof({ ...device, signature: sig.toString("base64url") }, ctx)).toEqual({
          ok: false,
          code: "DEVICE_AUTH_SIGNATURE_INVALID",
        });
      }),
    );
  });

  it("rejects any single-character change of the signature text", () => {
    fc.assert(
      fc.property(fc.nat(signature.length - 1), fc.constantFrom(..."ABCxyz019-_=+/ !"), (i, c) => {
        fc.pre(signature[i] !== c);
        const text = signature.slice(0, i) + c + signature.slice(i + 1);
        expect(verifyDeviceProof({ ...device, signature: text }, ctx).ok).toBe(false);
      }),
    );
  });
});
