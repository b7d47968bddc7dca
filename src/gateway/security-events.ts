/**
 * Security events the gateway reports to its embedder (the audit log in `gateway run`): every
 * refused credential, lockout, secret in a URL, foreign Origin or Host, and missing pairing.
 */

/** Kinds of refusal that are security-relevant. */
export type GatewaySecurityEventType =
  | "auth.failed"
  | "auth.rate_limited"
  | "auth.secret_in_url"
  | "auth.not_paired"
  | "auth.device_invalid"
  | "origin.forbidden"
  | "host.forbidden";

/** One refusal, without any secret: the error code and who was refused. */
export interface GatewaySecurityEvent {
  readonly type: GatewaySecurityEventType;
  /** The stable error code the client got. */
  readonly code: string;
  /** Client address (after trusted-proxy resolution where known). */
  readonly clientAddress: string;
  readonly transport: "ws" | "http";
}

const BY_CODE: Record<string, GatewaySecurityEventType> = {
  PAL_AUTH_FAILED: "auth.failed",
  PAL_AUTH_RATE_LIMITED: "auth.rate_limited",
  PAL_AUTH_SECRET_IN_URL: "auth.secret_in_url",
  PAL_NOT_PAIRED: "auth.not_paired",
  PAL_DEVICE_AUTH_INVALID: "auth.device_invalid",
  PAL_FORBIDDEN_ORIGIN: "origin.forbidden",
  PAL_FORBIDDEN_HOST: "host.forbidden",
};

/** The event for a refusal error, or undefined when the error is not security-relevant. */
export function securityEventFor(
  err: unknown,
  clientAddress: string | undefined,
  transport: "ws" | "http",
): GatewaySecurityEvent | undefined {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  const type = typeof code === "string" ? BY_CODE[code] : undefined;
  return type && typeof code === "string"
    ? { type, code, clientAddress: clientAddress ?? "unknown", transport }
    : undefined;
}

/** Wraps the embedder's callback so a throwing listener never breaks a refusal path. */
export function securityReporter(
  listener: ((e: GatewaySecurityEvent) => void) | undefined,
): (err: unknown, clientAddress: string | undefined, transport: "ws" | "http") => void {
  return (err, clientAddress, transport) => {
    if (!listener) return;
    const e = securityEventFor(err, clientAddress, transport);
    if (!e) return;
    try {
      listener(e);
    } catch {
      // The audit sink failing must not change what the client gets.
    }
  };
}
