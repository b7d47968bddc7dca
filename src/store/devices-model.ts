/** Types and row mapping of the devices aggregate (tables from migration 2). */
import { createHash, randomBytes } from "node:crypto";

/** How long a pairing request waits for an operator (OpenClaw: 5 minutes). */
export const PAIR_REQUEST_TTL_MS = 5 * 60_000;
/** Most pending requests kept at once; the oldest is dropped for a new one beyond this. */
export const MAX_PENDING_REQUESTS = 64;

/** A device token's state, without the token. */
export interface DeviceTokenSummary {
  readonly role: string;
  readonly scopes: string[];
  readonly createdAtMs: number;
  readonly rotatedAtMs?: number;
  readonly revokedAtMs?: number;
  readonly lastUsedAtMs?: number;
}

/** Client metadata recorded with a request or a device. */
export interface DeviceMeta {
  readonly displayName?: string | undefined;
  readonly platform?: string | undefined;
  readonly deviceFamily?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientMode?: string | undefined;
  readonly remoteIp?: string | undefined;
}

/** A paired device (OpenClaw RedactedPairedDevice shape). */
export interface PairedDevice extends DeviceMeta {
  readonly deviceId: string;
  readonly publicKey: string;
  readonly roles: string[];
  readonly scopes: string[];
  readonly createdAtMs: number;
  readonly approvedAtMs: number;
  readonly tokens: DeviceTokenSummary[];
}

/** A pending pairing request (OpenClaw DevicePairingPendingRequest shape). */
export interface PairRequest extends DeviceMeta {
  readonly requestId: string;
  readonly deviceId: string;
  readonly publicKey: string;
  readonly role: string;
  readonly roles: string[];
  readonly scopes: string[];
  readonly isRepair: boolean;
  readonly ts: number;
  readonly expiresAtMs: number;
}

/** What a connection asks to be paired as. */
export interface NewPairRequest extends DeviceMeta {
  readonly deviceId: string;
  readonly publicKey: string;
  readonly role: string;
  readonly scopes: readonly string[];
}

/** The live state of one device token, read on every frame of a connection that uses it. */
export interface TokenState {
  readonly tokenHash: string | undefined;
  readonly scopes: string[];
  readonly revoked: boolean;
}

/** Paired devices, their per-role tokens (stored as sha256, never in plaintext) and requests. */
export interface DeviceStore {
  get(deviceId: string): PairedDevice | undefined;
  list(): PairedDevice[];
  /** Pending requests that have not expired (expired ones are deleted). */
  pending(): PairRequest[];
  /** Records a request, replacing any pending one of the same device; drops the oldest beyond the cap. */
  request(input: NewPairRequest): PairRequest;
  /** The pending request with this request id, or else the newest one of this device id. */
  findRequest(id: string): PairRequest | undefined;
  /** Approves a request: the device gains the role and scopes; its token is issued on next connect. */
  approve(requestId: string): { request: PairRequest; device: PairedDevice };
  /** Drops a pending request. */
  reject(requestId: string): PairRequest;
  /** Forgets a paired device, its tokens and its requests; false when unknown. */
  remove(deviceId: string): boolean;
  /** Mints a fresh token for an approved role (replacing any), returns it once; scopes as approved. */
  issueToken(deviceId: string, role: string): { token: string; scopes: string[] };
  /** New token for a role; `scopes` may only narrow what the device was approved for. */
  rotate(deviceId: string, role: string, scopes?: readonly string[]): RotateResult;
  /** Revokes a role's token; returns the time. */
  revoke(deviceId: string, role: string): number;
  /** Scopes of a valid, unrevoked token for `role`, or undefined. Constant-time hash compare. */
  verifyToken(
    deviceId: string,
    role: string,
    token: string,
  ): { scopes: string[]; tokenHash: string } | undefined;
  /** The current state of a role's token (one indexed row read). */
  tokenState(deviceId: string, role: string): TokenState | undefined;
}

/** Result of {@link DeviceStore.rotate}. */
export interface RotateResult {
  readonly token: string;
  readonly scopes: string[];
  readonly rotatedAtMs: number;
}

/** sha256 hex of a device token: what the store keeps. */
export function hashDeviceToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new random device token (32 bytes, base64url). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** JSON text of a value. */
export const json = (v: unknown) => JSON.stringify(v);
/** A JSON array column as strings. */
export const strings = (text: unknown): string[] => {
  const v = JSON.parse(String(text)) as unknown;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
};
/** A non-empty string column, or undefined. */
export const opt = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
/** A number column, or undefined. */
export const optNum = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** A row as node:sqlite returns it. */
export type Row = Record<string, unknown>;

/** Client metadata columns of a row. */
export function meta(r: Row): DeviceMeta {
  const out: Record<string, string> = {};
  const pairs: [keyof DeviceMeta, string][] = [
    ["displayName", "display_name"],
    ["platform", "platform"],
    ["deviceFamily", "device_family"],
    ["clientId", "client_id"],
    ["clientMode", "client_mode"],
    ["remoteIp", "remote_ip"],
  ];
  for (const [k, col] of pairs) {
    const v = opt(r[col]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A pairing request row. */
export function toRequest(r: Row): PairRequest {
  const role = String(r.role);
  return {
    requestId: String(r.request_id),
    deviceId: String(r.device_id),
    publicKey: String(r.public_key),
    ...meta(r),
    role,
    roles: [role],
    scopes: strings(r.scopes),
    isRepair: r.is_repair === 1,
    ts: Number(r.created_at),
    expiresAtMs: Number(r.expires_at),
  };
}

/** A device token row, without the hash. */
export function toSummary(r: Row): DeviceTokenSummary {
  const s: { -readonly [K in keyof DeviceTokenSummary]: DeviceTokenSummary[K] } = {
    role: String(r.role),
    scopes: strings(r.scopes),
    createdAtMs: Number(r.created_at),
  };
  const rotated = optNum(r.rotated_at);
  const revoked = optNum(r.revoked_at);
  const used = optNum(r.last_used_at);
  if (rotated !== undefined) s.rotatedAtMs = rotated;
  if (revoked !== undefined) s.revokedAtMs = revoked;
  if (used !== undefined) s.lastUsedAtMs = used;
  return s;
}
