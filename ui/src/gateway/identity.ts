/**
 * This browser's device identity: an Ed25519 key pair made by WebCrypto with a non-extractable
 * private key, kept in IndexedDB. The device id is the sha256 hex of the raw public key, and
 * connect proofs are signatures over OpenClaw's v3 payload (see src/gateway/device-auth.ts).
 */
import { idbDelete, idbGet, idbSet } from "./idb.js";

const KEY = "identity";
const TOKEN_KEY = "deviceToken";

/** A loaded identity. */
export interface DeviceIdentity {
  /** sha256 hex of the raw public key. */
  readonly id: string;
  /** base64url of the raw 32-byte public key. */
  readonly publicKey: string;
  readonly privateKey: CryptoKey;
}

interface Stored {
  readonly id: string;
  readonly publicKey: string;
  readonly privateKey: CryptoKey;
}

/** base64url without padding. */
export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (const b of u8) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Why this browser cannot hold a device key, or undefined when it can. */
export function unsupportedReason(): string | undefined {
  if (!window.isSecureContext || globalThis.crypto?.subtle === undefined)
    return "This page is not a secure context, so WebCrypto is off. Open the Control UI on localhost, or over https (e.g. Tailscale Serve).";
  if (typeof indexedDB === "undefined") return "IndexedDB is not available in this browser.";
  return undefined;
}

/** The stored identity, or a new one (generated and stored). */
export async function loadIdentity(): Promise<DeviceIdentity> {
  const stored = await idbGet<Stored>(KEY);
  if (stored?.privateKey instanceof CryptoKey) return stored;
  let pair: CryptoKeyPair;
  try {
    pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
  } catch {
    throw new Error("This browser's WebCrypto has no Ed25519; use a current Chromium, Firefox or Safari.");
  }
  const raw = await crypto.subtle.exportKey("raw", pair.publicKey);
  const identity: Stored = {
    id: hex(await crypto.subtle.digest("SHA-256", raw)),
    publicKey: base64url(raw),
    privateKey: pair.privateKey,
  };
  await idbSet(KEY, identity);
  return identity;
}

/** Signs `text` (UTF-8) with the device key; base64url. */
export async function signText(identity: DeviceIdentity, text: string): Promise<string> {
  const sig = await crypto.subtle.sign(
    { name: "Ed25519" },
    identity.privateKey,
    new TextEncoder().encode(text),
  );
  return base64url(sig);
}

/** The device token the gateway issued this browser, if any. */
export function loadDeviceToken(): Promise<string | undefined> {
  return idbGet<string>(TOKEN_KEY);
}

/** Keeps the device token (issued once in hello-ok). */
export function saveDeviceToken(token: string): Promise<void> {
  return idbSet(TOKEN_KEY, token);
}

/** Forgets the device token (revoked, or the operator signs out). */
export function forgetDeviceToken(): Promise<void> {
  return idbDelete(TOKEN_KEY);
}

/** Forgets everything: key pair and token (a new device id next time). */
export async function forgetIdentity(): Promise<void> {
  await idbDelete(TOKEN_KEY);
  await idbDelete(KEY);
}
