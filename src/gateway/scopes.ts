/**
 * Operator scopes and the server-side grant policy. A client lists the scopes it would like; the
 * server decides what it gets from the credential and the connection. Asking is never enough.
 */

/** The operator scopes Palisade knows (OpenClaw's core set). */
export const SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
] as const;

/** One known operator scope. */
export type Scope = (typeof SCOPES)[number];

/** Connection roles: control-plane operators and capability-hosting nodes. */
export type Role = "operator" | "node";

/** How the connection proved who it is. */
export type AuthMethod = "none" | "token" | "password" | "trusted-proxy";

const KNOWN = new Set<string>(SCOPES);

/** Whether `value` is a known scope. */
export function isScope(value: string): value is Scope {
  return KNOWN.has(value);
}

/**
 * Whether `granted` satisfies `required`: `operator.admin` covers every operator scope and
 * `operator.write` covers `operator.read` (OpenClaw's implication rules).
 */
export function hasScope(granted: readonly Scope[], required: Scope): boolean {
  if (granted.includes(required) || granted.includes("operator.admin")) return true;
  return required === "operator.read" && granted.includes("operator.write");
}

/** What the grant policy looks at. */
export interface GrantInput {
  readonly role: Role;
  /** Scopes the client asked for (untrusted). */
  readonly requested: readonly string[];
  readonly authMethod: AuthMethod;
  /** Direct loopback connection with no forwarded headers from an untrusted hop. */
  readonly isLocal: boolean;
  /** The upgrade carried an Origin header: a browser made this connection. */
  readonly hasOrigin: boolean;
  /** The client sent a device identity. */
  readonly hasDevice: boolean;
}

/** The grant decision: scopes, or a refusal because a paired device is required. */
export type GrantResult =
  | { readonly ok: true; readonly scopes: Scope[] }
  | { readonly ok: false; readonly detailCode: "PAIRING_REQUIRED" | "CONTROL_UI_DEVICE_IDENTITY_REQUIRED" };

/**
 * Decides the scopes of an authenticated connection.
 * - node role: no operator scopes.
 * - browser origin (except trusted-proxy, where the proxy vouched for a user): refused until
 *   device pairing exists, since a page must not ride on a shared secret.
 * - trusted-proxy or a direct local connection: what it asked for, within the known set.
 * - remote shared secret: a presented device is refused (not paired yet); otherwise nothing.
 */
export function grantScopes(input: GrantInput): GrantResult {
  const wanted = [...new Set(input.requested)].filter(isScope);
  if (input.hasOrigin && input.authMethod !== "trusted-proxy") {
    return {
      ok: false,
      detailCode: input.hasDevice ? "PAIRING_REQUIRED" : "CONTROL_UI_DEVICE_IDENTITY_REQUIRED",
    };
  }
  if (input.role === "node") return { ok: true, scopes: [] };
  if (input.authMethod === "trusted-proxy" || input.isLocal) return { ok: true, scopes: wanted };
  if (input.hasDevice) return { ok: false, detailCode: "PAIRING_REQUIRED" };
  return { ok: true, scopes: [] };
}
