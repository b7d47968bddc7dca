/**
 * Wire frames of OpenClaw's gateway protocol v4, as zod schemas: request, response, event, and
 * the connect params. Unknown extra fields are dropped (newer clients add optional fields);
 * every string and list is bounded.
 */
import { z } from "zod";
import type { WireError } from "../core/errors.js";

/** Max bytes of a frame before `connect` succeeds (OpenClaw: 64 KiB). */
export const MAX_PREAUTH_PAYLOAD_BYTES = 64 * 1024;

/** OpenClaw's client ids (`client.id`). */
export const CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "openclaw-browser-copilot",
  "openclaw-tui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-linux",
  "openclaw-ios",
  "openclaw-watchos",
  "openclaw-android",
  "node-host",
  "test",
  "fingerprint",
  "openclaw-probe",
] as const;

/** OpenClaw's client modes (`client.mode`). */
export const CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "probe", "test"] as const;

const str = (max: number) => z.string().min(1).max(max);
const secret = z.string().max(4096).optional();
const lower = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().max(64).toLowerCase().pipe(z.enum(values));

/** A request frame `{type:"req", id, method, params?}`. */
export const requestFrameSchema = z.object({
  type: z.literal("req"),
  id: str(128),
  method: str(128),
  params: z.unknown().optional(),
});
/** A parsed request frame. */
export type RequestFrame = z.infer<typeof requestFrameSchema>;

/** Just the protocol range, checked before the rest so a mismatch is reported as such. */
export const protocolRangeSchema = z.object({
  minProtocol: z.int().min(1).max(1_000_000),
  maxProtocol: z.int().min(1).max(1_000_000),
});

/** `connect` params (OpenClaw ConnectParams). */
export const connectParamsSchema = protocolRangeSchema.extend({
  client: z.object({
    id: lower(CLIENT_IDS),
    displayName: str(256).optional(),
    version: str(128),
    platform: str(128),
    deviceFamily: str(128).optional(),
    modelIdentifier: str(128).optional(),
    mode: lower(CLIENT_MODES),
    instanceId: str(256).optional(),
  }),
  caps: z.array(str(128)).max(64).optional(),
  commands: z.array(str(256)).max(256).optional(),
  permissions: z.record(str(128), z.boolean()).optional(),
  pathEnv: z.string().max(8192).optional(),
  role: z.enum(["operator", "node"]).default("operator"),
  scopes: z.array(str(128)).max(32).optional(),
  device: z
    .object({
      id: str(256),
      publicKey: str(4096),
      signature: str(4096),
      signedAt: z.int().min(0),
      // Optional here so a missing nonce is reported as DEVICE_AUTH_NONCE_REQUIRED, not a schema error.
      nonce: z.string().max(256).optional(),
    })
    .optional(),
  auth: z
    .object({
      token: secret,
      bootstrapToken: secret,
      deviceToken: secret,
      password: secret,
    })
    .optional(),
  locale: z.string().max(64).optional(),
  userAgent: z.string().max(512).optional(),
});
/** Parsed `connect` params. */
export type ConnectParams = z.infer<typeof connectParamsSchema>;

/** A response frame. */
export type ResponseFrame =
  | { type: "res"; id: string; ok: true; payload: unknown }
  | { type: "res"; id: string; ok: false; error: WireError };

/** An event frame; `seq` is per connection and absent before connect. */
export interface EventFrame {
  type: "event";
  event: string;
  payload: unknown;
  seq?: number;
  stateVersion?: { presence: number; health: number };
}

/** Success response. */
export function okFrame(id: string, payload: unknown): ResponseFrame {
  return { type: "res", id, ok: true, payload };
}

/** Error response. */
export function errorFrame(id: string, error: WireError): ResponseFrame {
  return { type: "res", id, ok: false, error };
}

/** Best-effort request id of a frame that failed validation, so the error can be addressed. */
export function salvageId(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === "string" && id.length > 0 && id.length <= 128 ? id : undefined;
}

/** Short, secret-free description of a zod failure for error messages. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}
