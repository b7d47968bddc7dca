/**
 * One registry of stable error codes. Every error Palisade raises on purpose has a code with a
 * message template, the layer that raises it, the OpenClaw wire code a WS client sees, the HTTP
 * status and the CLI exit code. The entries live in error-codes/, one file per area; codes are
 * never reused: a retired code stays listed with `retired: true` so nobody takes its name again.
 */
import { CORE_ERRORS } from "./error-codes/core.js";
import { GATEWAY_ERRORS } from "./error-codes/gateway.js";
import { MESSAGING_ERRORS } from "./error-codes/messaging.js";
import { RUNTIME_ERRORS } from "./error-codes/runtime.js";
import type { ErrorLayer, ErrorSpec, WireCode } from "./error-codes/spec.js";

export type { ErrorLayer, ErrorSpec, WireCode } from "./error-codes/spec.js";

/** The per-area tables, kept apart so a test can check no code is defined twice. */
export const ERROR_TABLES = [CORE_ERRORS, GATEWAY_ERRORS, RUNTIME_ERRORS, MESSAGING_ERRORS] as const;

/** The registry: every code of every area. */
export const ERRORS = {
  ...CORE_ERRORS,
  ...GATEWAY_ERRORS,
  ...RUNTIME_ERRORS,
  ...MESSAGING_ERRORS,
} as const satisfies Record<string, ErrorSpec>;

/** A registered error code. */
export type ErrorCode = keyof typeof ERRORS;

/** Optional extras when raising an error. */
export interface ErrorOptions {
  /** Machine-readable details sent to clients (never secrets). */
  readonly details?: Record<string, unknown>;
  /** The underlying error; kept for logs, never sent to clients. */
  readonly cause?: unknown;
  /** Milliseconds after which a retry may succeed. */
  readonly retryAfterMs?: number;
}

/** Fills `{name}` placeholders; an unknown placeholder stays visible so a missing param is noticed. */
export function formatTemplate(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** Base of every Palisade error: a stable code plus what clients, HTTP and the CLI need. */
export class PalisadeError extends Error {
  override readonly name: string = "PalisadeError";
  readonly code: ErrorCode;
  readonly params: Readonly<Record<string, unknown>>;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, options: ErrorOptions = {}) {
    super(
      formatTemplate(ERRORS[code].message, params),
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.code = code;
    this.params = params;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }

  get spec(): ErrorSpec {
    return ERRORS[this.code];
  }
  get wireCode(): WireCode {
    return this.spec.wire;
  }
  get httpStatus(): number {
    return this.spec.http;
  }
  get exitCode(): 1 | 2 {
    return this.spec.exit;
  }
  get retryable(): boolean {
    return this.spec.retryable === true;
  }
}

/** The user's input or invocation was wrong. */
export class UsageError extends PalisadeError {
  override readonly name = "UsageError";
}
/** The configuration is invalid or could not be read or written. */
export class ConfigError extends PalisadeError {
  override readonly name = "ConfigError";
}
/** The state dir or the SQLite store failed. */
export class StoreError extends PalisadeError {
  override readonly name = "StoreError";
}
/** The gateway process or protocol refused or failed. */
export class GatewayError extends PalisadeError {
  override readonly name = "GatewayError";
}
/** Authentication or authorization refused. */
export class AuthError extends PalisadeError {
  override readonly name = "AuthError";
}
/** A model provider failed: the API said no, timed out or could not be reached. */
export class ProviderError extends PalisadeError {
  override readonly name = "ProviderError";
}
/** An agent run was stopped, timed out or refused (queue full). */
export class AgentError extends PalisadeError {
  override readonly name = "AgentError";
}
/** A sandbox backend refused or failed (isolation unavailable, path escape, read-only). */
export class SandboxError extends PalisadeError {
  override readonly name = "SandboxError";
}
/** A messaging channel's platform refused or failed, or a channel is misconfigured. */
export class ChannelError extends PalisadeError {
  override readonly name = "ChannelError";
}
/** A tool call was refused by policy (path, URL, approval) or failed. */
export class ToolError extends PalisadeError {
  override readonly name = "ToolError";
}
/** Access control refused or could not find something (pairing codes, roles). */
export class AccessError extends PalisadeError {
  override readonly name = "AccessError";
}

/** A bug: something that should not happen. */
export class InternalError extends PalisadeError {
  override readonly name = "InternalError";
}

type ErrorClass = new (
  code: ErrorCode,
  params?: Record<string, unknown>,
  options?: ErrorOptions,
) => PalisadeError;

const CLASSES: Record<ErrorLayer, ErrorClass> = {
  usage: UsageError,
  config: ConfigError,
  store: StoreError,
  gateway: GatewayError,
  auth: AuthError,
  provider: ProviderError,
  agent: AgentError,
  sandbox: SandboxError,
  channel: ChannelError,
  tool: ToolError,
  access: AccessError,
  internal: InternalError,
};

/** The error class for a code's layer. */
export function errorClassFor(code: ErrorCode): ErrorClass {
  return CLASSES[ERRORS[code].layer];
}

/** Creates the right error class for `code`. Use as `throw fail("PAL_...", {...})`. */
export function fail(
  code: ErrorCode,
  params: Record<string, unknown> = {},
  options: ErrorOptions = {},
): PalisadeError {
  const Cls = errorClassFor(code);
  return new Cls(code, params, options);
}

/** The wire shape of an error (OpenClaw: `{code, message, details?, retryable?, retryAfterMs?}`). */
export interface WireError {
  code: WireCode;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

/**
 * What a client may see of any thrown value. Known errors keep their message and details;
 * anything else becomes a generic internal error so stack traces, paths and secrets never leak.
 */
export function toWireError(err: unknown): WireError {
  if (!(err instanceof PalisadeError)) return { code: "INTERNAL", message: "internal error" };
  const out: WireError = { code: err.wireCode, message: err.message };
  out.details = { ...(err.details ?? {}), palisadeCode: err.code };
  if (err.retryable || err.retryAfterMs !== undefined) out.retryable = true;
  if (err.retryAfterMs !== undefined) out.retryAfterMs = err.retryAfterMs;
  return out;
}
