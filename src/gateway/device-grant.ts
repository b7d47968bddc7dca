/**
 * What a connection that proved a device identity gets: scopes from its device token or its
 * pairing, a freshly issued device token, an automatic approval (direct loopback without an
 * Origin only), or a pending pairing request and NOT_PAIRED. Also the per-frame re-check that
 * makes revoke, rotate and remove take effect on the next frame of an open connection.
 */
import { fail, type PalisadeError } from "../core/errors.js";
import type { DeviceStore, PairRequest } from "../store/index.js";
import { isScope, type Role, type Scope } from "./scopes.js";

/** What ties an open connection to a device, re-checked on every frame. */
export interface DeviceBinding {
  readonly deviceId: string;
  readonly role: Role;
  /** Hash of the device token the connection authenticated with (absent: shared secret). */
  readonly tokenHash: string | undefined;
  /** Scopes granted at connect; the re-check only ever narrows them. */
  readonly granted: readonly Scope[];
}

/** Inputs of {@link decideDevice}. */
export interface DeviceGrantInput {
  readonly store: DeviceStore;
  readonly deviceId: string;
  readonly publicKey: string;
  readonly role: Role;
  readonly requested: readonly string[];
  /** Set when the connection authenticated with this device's token for `role`. */
  readonly deviceToken: { readonly scopes: readonly string[]; readonly tokenHash: string } | undefined;
  /** Direct loopback, no forwarding, no Origin: the only case approved without an operator. */
  readonly autoApprove: boolean;
  readonly clientAddress: string;
  readonly client: {
    readonly id: string;
    readonly mode: string;
    readonly platform?: string | undefined;
    readonly deviceFamily?: string | undefined;
    readonly displayName?: string | undefined;
  };
  /** Sends an event to holders of a scope. */
  readonly emit: (event: string, payload: unknown, scope: Scope) => void;
  readonly now: () => number;
}

/** The decision: a grant (maybe with a new token), or the refusal to send. */
export type DeviceGrant =
  | {
      readonly ok: true;
      readonly scopes: Scope[];
      readonly binding: DeviceBinding;
      readonly deviceToken?: string;
      readonly autoApproved?: boolean;
    }
  | { readonly ok: false; readonly error: PalisadeError };

const narrow = (wanted: readonly Scope[], allowed: readonly string[]): Scope[] =>
  wanted.length === 0 ? allowed.filter(isScope) : wanted.filter((s) => allowed.includes(s));

/** The event payload of a request (OpenClaw DevicePairRequestedEvent). */
export function requestEvent(r: PairRequest): Record<string, unknown> {
  const { expiresAtMs: _e, ...rest } = r;
  return rest;
}

/** Decides the grant of a connection that proved `deviceId`. Writes to the store as needed. */
export function decideDevice(input: DeviceGrantInput): DeviceGrant {
  const { store, deviceId, role } = input;
  const wanted = role === "node" ? [] : [...new Set(input.requested)].filter(isScope);
  if (input.deviceToken !== undefined) {
    const scopes = role === "node" ? [] : narrow(wanted, input.deviceToken.scopes);
    return {
      ok: true,
      scopes,
      binding: { deviceId, role, tokenHash: input.deviceToken.tokenHash, granted: scopes },
    };
  }
  const device = store.get(deviceId);
  if (device?.roles.includes(role)) {
    const state = store.tokenState(deviceId, role);
    if (state?.revoked === true) {
      return {
        ok: false,
        error: fail(
          "PAL_NOT_PAIRED",
          { detail: `the ${role} token of this device was revoked; an operator can rotate it` },
          { details: { code: "DEVICE_TOKEN_REVOKED", deviceId } },
        ),
      };
    }
    const allowed = state?.scopes ?? (role === "operator" ? device.scopes : []);
    const scopes = role === "node" ? [] : narrow(wanted, allowed);
    const binding = { deviceId, role, tokenHash: undefined, granted: scopes };
    if (state === undefined || state.tokenHash === undefined) {
      const issued = store.issueToken(deviceId, role);
      return { ok: true, scopes, binding, deviceToken: issued.token };
    }
    return { ok: true, scopes, binding };
  }
  const request = store.request({
    deviceId,
    publicKey: input.publicKey,
    role,
    scopes: wanted,
    remoteIp: input.clientAddress,
    clientId: input.client.id,
    clientMode: input.client.mode,
    platform: input.client.platform,
    deviceFamily: input.client.deviceFamily,
    displayName: input.client.displayName,
  });
  if (input.autoApprove) {
    store.approve(request.requestId);
    const issued = store.issueToken(deviceId, role);
    input.emit(
      "device.pair.resolved",
      { requestId: request.requestId, deviceId, decision: "approved", ts: input.now() },
      "operator.pairing",
    );
    const scopes = role === "node" ? [] : narrow(wanted, issued.scopes);
    return {
      ok: true,
      scopes,
      binding: { deviceId, role, tokenHash: undefined, granted: scopes },
      deviceToken: issued.token,
      autoApproved: true,
    };
  }
  input.emit("device.pair.requested", requestEvent(request), "operator.pairing");
  return {
    ok: false,
    error: fail(
      "PAL_NOT_PAIRED",
      { detail: "pairing required; an operator must approve this device (palisade devices approve)" },
      {
        details: {
          code: "PAIRING_REQUIRED",
          requestId: request.requestId,
          deviceId,
          recommendedNextStep: "wait_then_retry",
        },
      },
    ),
  };
}

/**
 * Re-reads a binding's token row: undefined when the device was removed, the role's token
 * revoked, or (for token-authenticated connections) the token rotated; else the granted scopes
 * narrowed to what the token allows now. One primary-key lookup.
 */
export function recheckBinding(store: DeviceStore, b: DeviceBinding): Scope[] | undefined {
  const state = store.tokenState(b.deviceId, b.role);
  if (state === undefined || state.revoked) return undefined;
  if (b.tokenHash !== undefined && state.tokenHash !== b.tokenHash) return undefined;
  return b.role === "node" ? [] : b.granted.filter((s) => state.scopes.includes(s));
}
