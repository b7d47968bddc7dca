import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDeviceStore, hashDeviceToken, openStore, PAIR_REQUEST_TTL_MS } from "./index.js";

const SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
];

function fresh(now = () => 1000) {
  const store = openStore({ file: ":memory:" });
  return { store, devices: createDeviceStore(store, { now }) };
}

describe("device store", () => {
  it("never lets rotate widen the approved scopes", () => {
    fc.assert(
      fc.property(
        fc.subarray(SCOPES),
        fc.array(fc.constantFrom(...SCOPES), { maxLength: 6 }),
        (approved, asked) => {
          const { devices, store } = fresh();
          const req = devices.request({ deviceId: "d", publicKey: "k", role: "operator", scopes: approved });
          devices.approve(req.requestId);
          let scopes: string[] | undefined;
          try {
            scopes = devices.rotate("d", "operator", asked).scopes;
          } catch (err) {
            expect((err as { code?: string }).code).toBe("PAL_DEVICE_SCOPE_WIDEN");
            expect(asked.some((s) => !approved.includes(s))).toBe(true);
          }
          if (scopes !== undefined) for (const s of scopes) expect(approved).toContain(s);
          for (const s of devices.tokenState("d", "operator")?.scopes ?? []) expect(approved).toContain(s);
          store.close();
        },
      ),
    );
  });

  it("stores only the sha256 of tokens and verifies them", () => {
    const { devices, store } = fresh();
    devices.approve(
      devices.request({ deviceId: "d", publicKey: "k", role: "operator", scopes: ["operator.read"] })
        .requestId,
    );
    const { token } = devices.issueToken("d", "operator");
    const rows = JSON.stringify(store.db.prepare("SELECT * FROM device_tokens").all());
    expect(rows).not.toContain(token);
    expect(rows).toContain(hashDeviceToken(token));
    expect(devices.verifyToken("d", "operator", token)?.scopes).toEqual(["operator.read"]);
    expect(devices.verifyToken("d", "operator", `${token}x`)).toBeUndefined();
    expect(devices.verifyToken("d", "node", token)).toBeUndefined();
    devices.revoke("d", "operator");
    expect(devices.verifyToken("d", "operator", token)).toBeUndefined();
  });

  it("expires requests after 5 minutes and bounds how many are pending", () => {
    let t = 0;
    const { devices } = fresh(() => t);
    for (let i = 0; i < 70; i++, t++)
      devices.request({ deviceId: `d${i}`, publicKey: "k", role: "operator", scopes: [] });
    expect(devices.pending()).toHaveLength(64);
    expect(devices.pending()[0]?.deviceId).toBe("d6");
    t = 69 + PAIR_REQUEST_TTL_MS;
    expect(devices.pending()).toEqual([]);
  });

  it("replaces a device's earlier pending request", () => {
    const { devices } = fresh();
    devices.request({ deviceId: "d", publicKey: "k", role: "operator", scopes: [] });
    const second = devices.request({
      deviceId: "d",
      publicKey: "k",
      role: "operator",
      scopes: ["operator.read"],
    });
    expect(devices.pending().map((p) => p.requestId)).toEqual([second.requestId]);
  });
});
