/**
 * A test device: a real Ed25519 key pair and a signer that builds OpenClaw's v3 payload by hand
 * (independently of the gateway's own builder), so a field-order bug on either side shows up.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { GatewayServer } from "../../src/gateway/index.js";
import { registerDeviceMethods } from "../../src/gateway/methods/devices.js";
import { createDeviceStore, type DeviceStore, openStore, type Store } from "../../src/store/index.js";
import { connect, connectParams, RawClient, startTestGateway, TEST_TOKEN } from "./gateway.js";

/** A device key pair with its id and public key as sent on the wire. */
export interface TestDevice {
  readonly id: string;
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** Generates a device: id = sha256 hex of the raw 32-byte public key, key as base64url. */
export function makeDevice(): TestDevice {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return {
    id: createHash("sha256").update(raw).digest("hex"),
    publicKey: raw.toString("base64url"),
    privateKey,
  };
}

/** Overrides for one signature (to build every kind of bad proof). */
export interface SignOptions {
  signedAt?: number;
  nonce?: string | undefined;
  /** Nonce put in the signed payload when it should differ from the one sent. */
  signedNonce?: string;
  id?: string;
  publicKey?: string;
  token?: string;
  scopes?: string[];
  role?: string;
  platform?: string;
  deviceFamily?: string;
  clientId?: string;
  clientMode?: string;
}

/** The `device` object for connect, signed over the v3 payload. */
export function signDevice(dev: TestDevice, nonce: string, o: SignOptions = {}): Record<string, unknown> {
  const signedAt = o.signedAt ?? Date.now();
  const payload = [
    "v3",
    o.id ?? dev.id,
    o.clientId ?? "cli",
    o.clientMode ?? "cli",
    o.role ?? "operator",
    (o.scopes ?? ["operator.read", "operator.write", "operator.admin"]).join(","),
    String(signedAt),
    o.token ?? "",
    o.signedNonce ?? nonce,
    (o.platform ?? "linux").toLowerCase(),
    (o.deviceFamily ?? "").toLowerCase(),
  ].join("|");
  const signature = sign(null, Buffer.from(payload, "utf8"), dev.privateKey).toString("base64url");
  const device: Record<string, unknown> = {
    id: o.id ?? dev.id,
    publicKey: o.publicKey ?? dev.publicKey,
    signature,
    signedAt,
  };
  if (!("nonce" in o) || o.nonce !== undefined) device.nonce = o.nonce ?? nonce;
  return device;
}

/** A gateway with a real device store and the device methods, on a temp SQLite file. */
export async function startDeviceGateway(
  extra: Parameters<typeof startTestGateway>[0] = {},
): Promise<{ gw: GatewayServer; devices: DeviceStore; store: Store }> {
  const store = openStore({ file: join(mkdtempSync(join(tmpdir(), "pal-dev-")), "state.sqlite") });
  const devices = createDeviceStore(store);
  const gw = await startTestGateway({ devices, logger: pino({ level: "silent" }), ...extra });
  registerDeviceMethods(gw.methods, {
    devices,
    now: Date.now,
    emit: (event, payload, scope) => gw.broadcast(event, payload, { scope }),
    recheck: () => gw.recheckConnections(),
  });
  return { gw, devices, store };
}

/**
 * Connects with a signed device. `auth` replaces the connect auth (default the shared token);
 * `sign` tweaks the proof; `headers` go on the upgrade.
 */
export async function connectDevice(
  gw: Pick<GatewayServer, "url">,
  dev: TestDevice,
  opts: {
    auth?: Record<string, string>;
    sign?: SignOptions;
    scopes?: string[];
    headers?: Record<string, string>;
    role?: string;
  } = {},
) {
  const client = new RawClient(gw.url, opts.headers ?? {});
  await client.opened;
  const challenge = (await client.next()) as { payload: { nonce: string } };
  const auth = opts.auth ?? { token: TEST_TOKEN };
  const scopes = opts.scopes ?? ["operator.read", "operator.write", "operator.admin"];
  const role = opts.role ?? "operator";
  const device = signDevice(dev, challenge.payload.nonce, {
    token: auth.token ?? auth.deviceToken ?? "",
    scopes,
    role,
    ...opts.sign,
  });
  client.send({
    type: "req",
    id: "c1",
    method: "connect",
    params: connectParams({ auth, scopes, role, device }),
  });
  const res = (await client.response("c1")) as {
    ok: boolean;
    payload?: { auth?: { scopes?: string[]; deviceToken?: string; role?: string } };
    error?: { code: string; details?: Record<string, unknown> };
  };
  return { client, res };
}

/** An operator connection on loopback with the shared token and no device (gets what it asks). */
export async function connectOperator(gw: Pick<GatewayServer, "url">) {
  const { client, res } = await connect(gw, {
    scopes: ["operator.read", "operator.write", "operator.admin", "operator.pairing"],
  });
  if (!(res as { ok: boolean }).ok) throw new Error("operator connect failed");
  return client;
}
