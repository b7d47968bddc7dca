/** The shape of one error registry entry, shared by the per-area tables in this folder. */

/** OpenClaw's top-level protocol error codes (what `res.error.code` carries on the wire). */
export type WireCode =
  | "INVALID_REQUEST"
  | "FORBIDDEN"
  | "NOT_PAIRED"
  | "UNAVAILABLE"
  | "AGENT_TIMEOUT"
  | "PROTOCOL_MISMATCH"
  | "UNAUTHORIZED"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "INTERNAL";

/** The layer that failed; decides the error class (see {@link errorClassFor}). */
export type ErrorLayer =
  | "usage"
  | "config"
  | "store"
  | "gateway"
  | "auth"
  | "provider"
  | "agent"
  | "sandbox"
  | "channel"
  | "tool"
  | "access"
  | "internal";

/** One registry entry. */
export interface ErrorSpec {
  /** Message template; `{name}` is replaced by the param of that name. One sentence plus the fix. */
  readonly message: string;
  /** Layer that raises it. */
  readonly layer: ErrorLayer;
  /** Code a protocol client sees. */
  readonly wire: WireCode;
  /** HTTP status for HTTP routes. */
  readonly http: number;
  /** CLI exit code: 1 runtime failure, 2 usage or config error. */
  readonly exit: 1 | 2;
  /** Whether retrying the same request later may succeed. */
  readonly retryable?: boolean;
  /** Kept so the code is never reused; raising it is a bug. */
  readonly retired?: boolean;
}

/** Identity helper that checks one entry against {@link ErrorSpec}. */
export const spec = (s: ErrorSpec): ErrorSpec => s;
