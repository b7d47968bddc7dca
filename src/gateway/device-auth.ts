/**
 * Device identity proof in `connect`: an Ed25519 key whose sha256 is the device id, and a
 * signature over OpenClaw's v3 payload binding the device, client, role, scopes, time, token,
 * this connection's challenge nonce, platform and device family. Pure functions; the clock is
 * passed in.
 */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";

/** How far `signedAt` may be from the server clock (OpenClaw: 2 minutes). */
export const DEVICE_SIGNATURE_SKEW_MS = 2 * 60_000;

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The fields the v3 payload binds. */
export interface DevicePayloadFields {
  readonly deviceId: string;
  readonly clientId: string;
  readonly clientMode: string;
  readonly role: string;
  readonly scopes: readonly string[];
  readonly signedAtMs: number;
  /** The token sent in `auth` (shared or device token); empty when none. */
  readonly token: string | undefined;
  readonly nonce: string;
  readonly platform: string | undefined;
  readonly deviceFamily: string | undefined;
}

/** Trims and lowercases ASCII A-Z only (OpenClaw's metadata normalization); absent is "". */
export function normalizeDeviceMetadata(value: string | undefined): string {
  const t = (value ?? "").trim();
  return t.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** `v3|deviceId|clientId|clientMode|role|scopes,csv|signedAtMs|token|nonce|platform|deviceFamily`. */
export function buildDevicePayloadV3(f: DevicePayloadFields): string {
  return [
    "v3",
    f.deviceId,
    f.clientId,
    f.clientMode,
    f.role,
    f.scopes.join(","),
    String(f.signedAtMs),
    f.token ?? "",
    f.nonce,
    normalizeDeviceMetadata(f.platform),
    normalizeDeviceMetadata(f.deviceFamily),
  ].join("|");
}

/** Device id of a raw public key: sha256 hex. */
export function deviceIdOf(rawPublicKey: Uint8Array): string {
  return createHash("sha256").update(rawPublicKey).digest("hex");
}

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Decodes `publicKey` (base64url of the raw 32-byte key; a base64url SPKI DER is also read) to
 * the raw key and a KeyObject, or undefined when it is not an Ed25519 public key.
 */
export function parseDevicePublicKey(text: string): { raw: Buffer; key: KeyObject } | undefined {
  if (!B64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64url");
  let raw: Buffer;
  if (bytes.length === 32) raw = bytes;
  else if (bytes.length === 44 && bytes.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) raw = bytes.subarray(12);
  else return undefined;
  try {
    const key = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
      format: "der",
      type: "spki",
    });
    return key.asymmetricKeyType === "ed25519" ? { raw, key } : undefined;
  } catch {
    return undefined;
  }
}

/** OpenClaw's device-auth detail codes and reasons. */
export type DeviceAuthFailure =
  | "DEVICE_AUTH_NONCE_REQUIRED"
  | "DEVICE_AUTH_NONCE_MISMATCH"
  | "DEVICE_AUTH_SIGNATURE_INVALID"
  | "DEVICE_AUTH_SIGNATURE_EXPIRED"
  | "DEVICE_AUTH_DEVICE_ID_MISMATCH"
  | "DEVICE_AUTH_PUBLIC_KEY_INVALID";

const REASONS: Record<DeviceAuthFailure, { reason: string; message: string }> = {
  DEVICE_AUTH_NONCE_REQUIRED: { reason: "device-nonce-missing", message: "device nonce required" },
  DEVICE_AUTH_NONCE_MISMATCH: { reason: "device-nonce-mismatch", message: "device nonce mismatch" },
  DEVICE_AUTH_SIGNATURE_INVALID: { reason: "device-signature", message: "device signature invalid" },
  DEVICE_AUTH_SIGNATURE_EXPIRED: { reason: "device-signature-stale", message: "device signature expired" },
  DEVICE_AUTH_DEVICE_ID_MISMATCH: { reason: "device-id-mismatch", message: "device identity mismatch" },
  DEVICE_AUTH_PUBLIC_KEY_INVALID: { reason: "device-public-key", message: "device public key invalid" },
};

/** Stable reason and message of a failure code. */
export function describeDeviceFailure(code: DeviceAuthFailure): { reason: string; message: string } {
  return REASONS[code];
}

/** The `device` object of connect params. */
export interface PresentedDevice {
  readonly id: string;
  readonly publicKey: string;
  readonly signature: string;
  readonly signedAt: number;
  readonly nonce?: string | undefined;
}

/** What else the proof is checked against. */
export interface DeviceProofContext extends Omit<DevicePayloadFields, "deviceId" | "signedAtMs" | "nonce"> {
  /** This connection's `connect.challenge` nonce. */
  readonly challengeNonce: string;
  readonly now: number;
}

/** Proof outcome. */
export type DeviceProofResult =
  | { readonly ok: true; readonly deviceId: string; readonly publicKey: string }
  | { readonly ok: false; readonly code: DeviceAuthFailure };

/**
 * Verifies a presented device: nonce present and equal to this connection's challenge, key is
 * Ed25519, id is its sha256, `signedAt` within the skew, signature valid over the v3 payload.
 */
export function verifyDeviceProof(device: PresentedDevice, ctx: DeviceProofContext): DeviceProofResult {
  if (device.nonce === undefined || device.nonce === "")
    return { ok: false, code: "DEVICE_AUTH_NONCE_REQUIRED" };
  if (device.nonce !== ctx.challengeNonce) return { ok: false, code: "DEVICE_AUTH_NONCE_MISMATCH" };
  const key = parseDevicePublicKey(device.publicKey);
  if (key === undefined) return { ok: false, code: "DEVICE_AUTH_PUBLIC_KEY_INVALID" };
  if (deviceIdOf(key.raw) !== device.id.toLowerCase())
    return { ok: false, code: "DEVICE_AUTH_DEVICE_ID_MISMATCH" };
  if (
    !Number.isSafeInteger(device.signedAt) ||
    Math.abs(ctx.now - device.signedAt) > DEVICE_SIGNATURE_SKEW_MS
  )
    return { ok: false, code: "DEVICE_AUTH_SIGNATURE_EXPIRED" };
  if (!B64URL.test(device.signature)) return { ok: false, code: "DEVICE_AUTH_SIGNATURE_INVALID" };
  const signature = Buffer.from(device.signature, "base64url");
  if (signature.length !== 64 || signature.toString("base64url") !== device.signature.replace(/=+$/, ""))
    return { ok: false, code: "DEVICE_AUTH_SIGNATURE_INVALID" };
  const payload = buildDevicePayloadV3({
    deviceId: device.id,
    clientId: ctx.clientId,
    clientMode: ctx.clientMode,
    role: ctx.role,
    scopes: ctx.scopes,
    signedAtMs: device.signedAt,
    token: ctx.token,
    nonce: device.nonce,
    platform: ctx.platform,
    deviceFamily: ctx.deviceFamily,
  });
  let valid = false;
  try {
    valid = verify(null, Buffer.from(payload, "utf8"), key.key, signature);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, code: "DEVICE_AUTH_SIGNATURE_INVALID" };
  return { ok: true, deviceId: deviceIdOf(key.raw), publicKey: key.raw.toString("base64url") };
}
