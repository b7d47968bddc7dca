/**
 * The `connect` request, decided: protocol range, params, auth rate limit, device proof, shared
 * secret or device token, then the scope grant (shared-secret rules, or the device's pairing).
 * Pure decision plus store writes; the socket side lives in connection.ts.
 */
import type { IncomingMessage } from "node:http";
import { fail, type PalisadeError } from "../core/errors.js";
import { PROTOCOL_VERSION } from "../core/version.js";
import type { DeviceStore } from "../store/index.js";
import { type AuthSettings, type ClientIdentity, verifyCredentials } from "./auth.js";
import { describeDeviceFailure, verifyDeviceProof } from "./device-auth.js";
import { type DeviceBinding, decideDevice } from "./device-grant.js";
import { type ConnectParams, connectParamsSchema, describeIssues, protocolRangeSchema } from "./frames.js";
import type { AuthRateLimiter } from "./rate-limit.js";
import { type AuthMethod, grantScopes, type Scope } from "./scopes.js";

/** What the handshake needs. */
export interface HandshakeDeps {
  readonly auth: AuthSettings;
  readonly limiter: AuthRateLimiter;
  readonly now: () => number;
  /** Paired devices; without it a presented device is refused as unpaired (fail closed). */
  readonly devices?: DeviceStore | undefined;
  /** Sends an event to holders of a scope (pairing requests). */
  readonly emit: (event: string, payload: unknown, scope: Scope) => void;
}

/** An accepted connect. */
export interface Accepted {
  readonly ok: true;
  readonly params: ConnectParams;
  readonly scopes: Scope[];
  readonly method: AuthMethod | "device-token";
  readonly deviceId: string | undefined;
  readonly binding: DeviceBinding | undefined;
  /** A device token issued by this connect, returned once in `hello-ok.auth.deviceToken`. */
  readonly deviceToken: string | undefined;
}

/** A refused connect and the close code to use. */
export interface Refused {
  readonly ok: false;
  readonly error: PalisadeError;
  readonly closeCode: number;
}

const refused = (error: PalisadeError, closeCode = 1008): Refused => ({ ok: false, error, closeCode });

/** Decides one `connect` request's params for a connection with challenge `nonce`. */
export function decideConnect(
  params: unknown,
  nonce: string,
  identity: ClientIdentity,
  req: IncomingMessage,
  deps: HandshakeDeps,
): Accepted | Refused {
  const range = protocolRangeSchema.safeParse(params);
  if (!range.success)
    return refused(
      fail("PAL_PROTO_INVALID_PARAMS", { method: "connect", detail: describeIssues(range.error) }),
    );
  const { minProtocol, maxProtocol } = range.data;
  if (minProtocol > PROTOCOL_VERSION || maxProtocol < PROTOCOL_VERSION) {
    const details = {
      code: "PROTOCOL_MISMATCH",
      expectedProtocol: PROTOCOL_VERSION,
      clientMinProtocol: minProtocol,
      clientMaxProtocol: maxProtocol,
    };
    return refused(
      fail(
        "PAL_PROTO_MISMATCH",
        { min: minProtocol, max: maxProtocol, server: PROTOCOL_VERSION },
        { details },
      ),
      1002,
    );
  }
  const parsed = connectParamsSchema.safeParse(params);
  if (!parsed.success)
    return refused(
      fail("PAL_PROTO_INVALID_PARAMS", { method: "connect", detail: describeIssues(parsed.error) }),
    );
  const p = parsed.data;
  const addr = identity.clientAddress;
  const limited = deps.limiter.check(addr);
  if (limited.locked) {
    const seconds = Math.ceil(limited.retryAfterMs / 1000);
    return refused(
      fail(
        "PAL_AUTH_RATE_LIMITED",
        { seconds },
        { retryAfterMs: limited.retryAfterMs, details: { code: "AUTH_RATE_LIMITED" } },
      ),
    );
  }
  let proof: { deviceId: string; publicKey: string } | undefined;
  if (p.device !== undefined) {
    const r = verifyDeviceProof(p.device, {
      challengeNonce: nonce,
      now: deps.now(),
      clientId: p.client.id,
      clientMode: p.client.mode,
      role: p.role,
      scopes: p.scopes ?? [],
      token: p.auth?.token ?? p.auth?.deviceToken,
      platform: p.client.platform,
      deviceFamily: p.client.deviceFamily,
    });
    if (!r.ok) {
      deps.limiter.fail(addr);
      const d = describeDeviceFailure(r.code);
      return refused(
        fail(
          "PAL_DEVICE_AUTH_INVALID",
          { detail: d.message },
          { details: { code: r.code, reason: d.reason } },
        ),
      );
    }
    proof = r;
  }
  const shared = verifyCredentials(
    deps.auth,
    { token: p.auth?.token, password: p.auth?.password },
    identity,
    req.headers,
  );
  let viaDeviceToken: { scopes: string[]; tokenHash: string } | undefined;
  if (!shared.ok && proof !== undefined && deps.devices !== undefined) {
    const candidate = p.auth?.deviceToken ?? p.auth?.token;
    if (candidate) viaDeviceToken = deps.devices.verifyToken(proof.deviceId, p.role, candidate);
  }
  if (!shared.ok && viaDeviceToken === undefined) {
    deps.limiter.fail(addr);
    const usedDeviceToken = p.auth?.deviceToken !== undefined && p.auth.token === undefined;
    const details = {
      code: usedDeviceToken ? "AUTH_DEVICE_TOKEN_MISMATCH" : shared.detailCode,
      canRetryWithDeviceToken: false,
      recommendedNextStep: "update_auth_credentials",
    };
    const detail = usedDeviceToken ? "device token mismatch" : shared.detail;
    return refused(fail("PAL_AUTH_FAILED", { detail }, { details }));
  }
  deps.limiter.succeed(addr);
  const hasOrigin = req.headers.origin !== undefined;
  if (proof === undefined || deps.devices === undefined) {
    const grant = grantScopes({
      role: p.role,
      requested: p.scopes ?? [],
      authMethod: shared.ok ? shared.method : "token",
      isLocal: identity.isLocal,
      hasOrigin,
      hasDevice: p.device !== undefined,
    });
    if (!grant.ok) {
      const detail =
        grant.detailCode === "PAIRING_REQUIRED"
          ? "device pairing required"
          : "browser clients need a paired device identity";
      return refused(fail("PAL_NOT_PAIRED", { detail }, { details: { code: grant.detailCode } }));
    }
    const method = shared.ok ? shared.method : "token";
    return {
      ok: true,
      params: p,
      scopes: grant.scopes,
      method,
      deviceId: undefined,
      binding: undefined,
      deviceToken: undefined,
    };
  }
  const decision = decideDevice({
    store: deps.devices,
    deviceId: proof.deviceId,
    publicKey: proof.publicKey,
    role: p.role,
    requested: p.scopes ?? [],
    deviceToken: viaDeviceToken,
    autoApprove: identity.isLocal && !identity.viaTrustedProxy && !hasOrigin,
    clientAddress: addr,
    client: p.client,
    emit: deps.emit,
    now: deps.now,
  });
  if (!decision.ok) return refused(decision.error);
  return {
    ok: true,
    params: p,
    scopes: decision.scopes,
    method: viaDeviceToken !== undefined ? "device-token" : shared.ok ? shared.method : "token",
    deviceId: proof.deviceId,
    binding: decision.binding,
    deviceToken: decision.deviceToken,
  };
}
