/**
 * One registry of stable error codes. Every error Palisade raises on purpose has a code here with
 * a message template, the layer that raises it, the OpenClaw wire code a WS client sees, the HTTP
 * status and the CLI exit code. Codes are never reused: a retired code stays listed with
 * `retired: true` so nobody takes its name again.
 */

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

const spec = (s: ErrorSpec): ErrorSpec => s;

/** The registry. Add new codes at the end of their group; never rename or reuse one. */
export const ERRORS = {
  // usage
  PAL_USAGE: spec({ message: "{detail}", layer: "usage", wire: "INVALID_REQUEST", http: 400, exit: 2 }),
  PAL_USAGE_BAD_JSON: spec({
    message: "{what} is not valid JSON5: {detail}; quote strings and check brackets",
    layer: "usage",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  // config
  PAL_CONFIG_INVALID: spec({
    message: "config {file} has {count} problem(s); fix them and run `palisade config validate`",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_CONFIG_NOT_FOUND: spec({
    message: "config file {file} does not exist; create it or point --config at the right file",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 2,
  }),
  PAL_CONFIG_READ_FAILED: spec({
    message: "cannot read config {file}: {detail}",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_CONFIG_CONFLICT: spec({
    message:
      "config changed since it was read (baseHash {baseHash} is not the current {currentHash}); reload it and apply your change again",
    layer: "config",
    wire: "CONFLICT",
    http: 409,
    exit: 1,
  }),
  PAL_CONFIG_PATH: spec({
    message: "{path} is not a valid config path: {detail}",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_CONFIG_WRITE_FAILED: spec({
    message: "cannot write config {file}: {detail}; nothing was changed",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  // state dir and store
  PAL_STATE_DIR: spec({
    message: "state dir {dir} is not usable: {detail}",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_OPEN_FAILED: spec({
    message: "cannot open the state store {file}: {detail}",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
    retryable: true,
  }),
  PAL_STORE_MIGRATION_FAILED: spec({
    message: "store migration {version} failed: {detail}; the store was left at version {from}",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_TOO_NEW: spec({
    message:
      "the state store is at schema version {version}, newer than this Palisade knows ({known}); upgrade Palisade",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_BUSY: spec({
    message:
      "the state store {file} stayed locked for {timeoutMs} ms; another process holds it, retry or stop the other palisade process",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
    retryable: true,
  }),
  PAL_STORE_MISUSE: spec({
    message: "state store misuse: {detail}",
    layer: "store",
    wire: "INTERNAL",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_BAD_ROW: spec({
    message:
      "a stored {table} row ({key}) does not match its schema: {detail}; run `palisade doctor` or delete the row",
    layer: "store",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  PAL_STORE_VALUE_INVALID: spec({
    message: "cannot store {table} row ({key}): {detail}",
    layer: "store",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  // logging
  PAL_LOG_FILE: spec({
    message: "cannot write the log file {file}: {detail}; fix its permissions or set logging.file",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  // gateway process
  PAL_GATEWAY_LOCKED: spec({
    message:
      "another gateway (pid {pid}) already runs on state dir {dir}; stop it first or use another --state-dir",
    layer: "gateway",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
  }),
  PAL_GATEWAY_PORT_IN_USE: spec({
    message: "port {port} on {host} is already in use; stop what holds it or set gateway.port",
    layer: "gateway",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
  }),
  PAL_GATEWAY_UNSAFE_BIND: spec({
    message: "refusing to start: {detail}",
    layer: "gateway",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 2,
  }),
  PAL_GATEWAY_UNREACHABLE: spec({
    message: "cannot reach the gateway at {url}: {detail}; is `palisade gateway run` running?",
    layer: "gateway",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
    retryable: true,
  }),
  // protocol
  PAL_PROTO_INVALID_FRAME: spec({
    message: "invalid frame: {detail}",
    layer: "gateway",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  PAL_PROTO_UNKNOWN_METHOD: spec({
    message: "unknown method: {method}",
    layer: "gateway",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 1,
  }),
  PAL_PROTO_INVALID_PARAMS: spec({
    message: "invalid params for {method}: {detail}",
    layer: "gateway",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  PAL_PROTO_MISMATCH: spec({
    message: "protocol mismatch: client speaks {min}..{max}, server speaks {server}",
    layer: "gateway",
    wire: "PROTOCOL_MISMATCH",
    http: 400,
    exit: 1,
  }),
  PAL_PROTO_IDEMPOTENCY_REQUIRED: spec({
    message: "{method} changes state and needs params.idempotencyKey",
    layer: "gateway",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  PAL_PROTO_IDEMPOTENCY_REUSED: spec({
    message: "idempotencyKey {key} was already used with other params; use a new key",
    layer: "gateway",
    wire: "INVALID_REQUEST",
    http: 409,
    exit: 1,
  }),
  PAL_HTTP_BODY_TOO_LARGE: spec({
    message: "request body is larger than {limit} bytes",
    layer: "gateway",
    wire: "INVALID_REQUEST",
    http: 413,
    exit: 1,
  }),
  PAL_HTTP_NOT_FOUND: spec({
    message: "no route for {method} {path}",
    layer: "gateway",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 1,
  }),
  PAL_PROTO_HANDSHAKE: spec({
    message: "handshake failed: {detail}",
    layer: "gateway",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  PAL_UNAVAILABLE: spec({
    message: "{detail}",
    layer: "gateway",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
    retryable: true,
  }),
  // auth
  PAL_AUTH_FAILED: spec({
    message: "unauthorized: {detail}",
    layer: "auth",
    wire: "UNAUTHORIZED",
    http: 401,
    exit: 1,
  }),
  PAL_AUTH_RATE_LIMITED: spec({
    message: "too many failed auth attempts; retry in {seconds} s",
    layer: "auth",
    wire: "UNAVAILABLE",
    http: 429,
    exit: 1,
    retryable: true,
  }),
  PAL_AUTH_SECRET_IN_URL: spec({
    message:
      "credentials in the URL query string are refused; send them in the Authorization header or connect params",
    layer: "auth",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  PAL_FORBIDDEN_SCOPE: spec({
    message: "missing scope: {missingScope}",
    layer: "auth",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_FORBIDDEN_ORIGIN: spec({
    message: "origin not allowed: {origin}; add it to gateway.controlUi.allowedOrigins if it is yours",
    layer: "auth",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_FORBIDDEN_HOST: spec({
    message: "host header not allowed: {host}",
    layer: "auth",
    wire: "FORBIDDEN",
    http: 421,
    exit: 1,
  }),
  PAL_NOT_PAIRED: spec({
    message: "device not paired: {detail}",
    layer: "auth",
    wire: "NOT_PAIRED",
    http: 403,
    exit: 1,
  }),
  PAL_DEVICE_AUTH_INVALID: spec({
    message: "device identity rejected: {detail}",
    layer: "auth",
    wire: "UNAUTHORIZED",
    http: 401,
    exit: 1,
  }),
  PAL_DEVICE_NOT_FOUND: spec({
    message: "{what} {id} not found; run `palisade devices list` to see current ids",
    layer: "auth",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 1,
  }),
  PAL_DEVICE_SCOPE_WIDEN: spec({
    message: "{detail}; a device token can only keep or narrow what was approved",
    layer: "auth",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  // config writes over the gateway
  PAL_CONFIG_WRITE_FORBIDDEN: spec({
    message:
      "config can only be changed by an operator connected to the gateway (WebSocket or CLI) with operator.admin; {detail}",
    layer: "auth",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_CONFIG_RATE_LIMITED: spec({
    message: "too many config writes from this device and address; retry in {seconds} s",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 429,
    exit: 1,
    retryable: true,
  }),
  PAL_CONFIG_PATCH_INVALID: spec({
    message: "config.patch raw must be a JSON5 object (a JSON merge patch): {detail}",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  // providers (models on the AI SDK)
  PAL_PROVIDER_BAD_REF: spec({
    message: '{ref} is not a model ref; write it as "provider/model", e.g. "anthropic/claude-sonnet-4-5"',
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_PROVIDER_UNKNOWN: spec({
    message:
      "model {ref} names provider {provider}, which is not configured; add models.providers.{provider}",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_PROVIDER_INVALID: spec({
    message: "models.providers.{provider} is not usable: {detail}",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_PROVIDER_NO_KEY: spec({
    message: "provider {provider} has no API key; set {envVar} or models.providers.{provider}.apiKey",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 2,
  }),
  PAL_PROVIDER_NO_MODEL: spec({
    message:
      'no model is configured; set agents.defaults.model to "provider/model" (e.g. "anthropic/claude-sonnet-4-5") and give that provider an API key',
    layer: "config",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 2,
  }),
  PAL_PROVIDER_FAILED: spec({
    message: "model {ref} failed after {attempts} attempt(s): {detail}",
    layer: "provider",
    wire: "UNAVAILABLE",
    http: 502,
    exit: 1,
    retryable: true,
  }),
  PAL_PROVIDER_TIMEOUT: spec({
    message: "model {ref} sent nothing for {timeoutMs} ms",
    layer: "provider",
    wire: "UNAVAILABLE",
    http: 504,
    exit: 1,
    retryable: true,
  }),
  PAL_PROVIDER_ALL_FAILED: spec({
    message: "every model in the chain failed ({refs}); last error: {detail}",
    layer: "provider",
    wire: "UNAVAILABLE",
    http: 502,
    exit: 1,
    retryable: true,
  }),
  // agent runs
  PAL_AGENT_TIMEOUT: spec({
    message: "the agent run took longer than {timeoutMs} ms and was stopped",
    layer: "agent",
    wire: "AGENT_TIMEOUT",
    http: 504,
    exit: 1,
    retryable: true,
  }),
  PAL_AGENT_ABORTED: spec({
    message: "the agent run was stopped: {reason}",
    layer: "agent",
    wire: "UNAVAILABLE",
    http: 409,
    exit: 1,
  }),
  PAL_AGENT_QUEUE_FULL: spec({
    message: "{scope} already has {limit} queued run(s); wait for them to finish or send /stop",
    layer: "agent",
    wire: "UNAVAILABLE",
    http: 429,
    exit: 1,
    retryable: true,
  }),
  PAL_AGENT_BAD_TOOLS: spec({
    message: "the tools offered to the agent are invalid: {detail}",
    layer: "internal",
    wire: "INTERNAL",
    http: 500,
    exit: 1,
  }),
  PAL_AGENT_UNKNOWN: spec({
    message: 'no agent "{agentId}" is configured; add it to agents.list or leave the agent out',
    layer: "agent",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 2,
  }),
  PAL_AGENT_RUN_NOT_FOUND: spec({
    message: "agent run {runId} was not found; it may have finished long ago",
    layer: "agent",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 1,
  }),
  PAL_SESSION_NOT_FOUND: spec({
    message: "session {key} was not found; run `palisade gateway call sessions.list` to see keys",
    layer: "agent",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 1,
  }),
  PAL_SESSION_BAD_KEY: spec({
    message: "{key} is not a session key: {detail}",
    layer: "agent",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_PROVIDER_KEY_FILE: spec({
    message: "credential file {file} cannot be used: {detail}",
    layer: "config",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 2,
  }),
  // sandboxes
  PAL_SANDBOX_UNAVAILABLE: spec({
    message: "no sandbox backend is available ({detail}); sandboxed tools are refused. {fix}",
    layer: "sandbox",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
  }),
  PAL_SANDBOX_POLICY_REFUSED: spec({
    message: "sandbox config {key} would weaken isolation: {detail}; {fix}",
    layer: "config",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_SANDBOX_HOST_REFUSED: spec({
    message:
      'sandbox backend "host" cannot be chosen in config; host runs need tools.elevated.allowFrom and an approved elevated request',
    layer: "config",
    wire: "FORBIDDEN",
    http: 403,
    exit: 2,
  }),
  PAL_SANDBOX_PATH_REFUSED: spec({
    message: "{path} is outside the sandbox workspace or goes through a symlink; use a plain relative path",
    layer: "sandbox",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  PAL_SANDBOX_READ_ONLY: spec({
    message:
      "the sandbox workspace is read-only (workspaceAccess {access}); set workspaceAccess to rw to allow writes",
    layer: "sandbox",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_SANDBOX_BACKEND_FAILED: spec({
    message: "sandbox backend {backend} failed to {action}: {detail}",
    layer: "sandbox",
    wire: "UNAVAILABLE",
    http: 502,
    exit: 1,
    retryable: true,
  }),
  PAL_SANDBOX_DESTROYED: spec({
    message: "sandbox {id} was destroyed; a new one is created on the next use",
    layer: "sandbox",
    wire: "UNAVAILABLE",
    http: 409,
    exit: 1,
    retryable: true,
  }),
  PAL_SANDBOX_BUILD_FAILED: spec({
    message: "building sandbox image {image} failed: {detail}",
    layer: "sandbox",
    wire: "UNAVAILABLE",
    http: 500,
    exit: 1,
  }),
  // channel
  PAL_CHANNEL_TOKEN_MISSING: spec({
    message:
      "channels.{channel} account {account} has no bot token; set botToken (write it as ${VAR}) or tokenFile",
    layer: "channel",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_CHANNEL_CONFIG: spec({
    message: "channels.{channel}: {detail}",
    layer: "channel",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_CHANNEL_API_FAILED: spec({
    message: "{channel} API call {method} failed: {detail}",
    layer: "channel",
    wire: "UNAVAILABLE",
    http: 502,
    exit: 1,
    retryable: true,
  }),
  PAL_CHANNEL_REJECTED: spec({
    message: "{channel} refused {method}: {detail}",
    layer: "channel",
    wire: "UNAVAILABLE",
    http: 502,
    exit: 1,
  }),
  PAL_CHANNEL_RATE_LIMITED: spec({
    message: "{channel} rate-limited {method}; retry after {seconds}s",
    layer: "channel",
    wire: "RATE_LIMITED",
    http: 429,
    exit: 1,
    retryable: true,
  }),
  PAL_CHANNEL_UNKNOWN: spec({
    message: "channel {channel} is not configured; add channels.{channel} to the config",
    layer: "channel",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 2,
  }),
  PAL_CHANNEL_WEBHOOK_REFUSED: spec({
    message: "webhook request refused: {detail}",
    layer: "channel",
    wire: "UNAUTHORIZED",
    http: 401,
    exit: 1,
  }),
  PAL_CHANNEL_NOT_RUNNING: spec({
    message: "no running {channel} account can send: {detail}",
    layer: "channel",
    wire: "UNAVAILABLE",
    http: 503,
    exit: 1,
  }),
  PAL_CHANNEL_MESSAGE_NOT_FOUND: spec({
    message: "inbox message {id} is not a dead letter; list them with `palisade channels deadletters`",
    layer: "channel",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 2,
  }),
  // tool
  PAL_TOOL_DENIED: spec({
    message:
      "tool {tool} is not allowed for agent {agentId}: {reason}; change tools.allow/deny or the profile to offer it",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_PATH_REFUSED: spec({
    message: "path {path} is refused: {reason}; use a relative path inside the workspace",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_FILE_NOT_FOUND: spec({
    message: "{path} does not exist in the workspace",
    layer: "tool",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 1,
  }),
  PAL_TOOL_TOO_LARGE: spec({
    message: "{what} is {size} bytes, over the limit of {limit}; use a smaller range or raise {key}",
    layer: "tool",
    wire: "INVALID_REQUEST",
    http: 413,
    exit: 1,
  }),
  PAL_TOOL_URL_REFUSED: spec({
    message: "web_fetch refused {url}: {reason}",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_FETCH_FAILED: spec({
    message: "web_fetch of {url} failed: {detail}",
    layer: "tool",
    wire: "UNAVAILABLE",
    http: 502,
    exit: 1,
    retryable: true,
  }),
  PAL_TOOL_ENV_REFUSED: spec({
    message: "environment variable {name} cannot be set by a tool call: {reason}",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_EXEC_REFUSED: spec({
    message: "exec refused: {reason}",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_ELEVATED_REFUSED: spec({
    message: "elevated (host) execution refused for agent {agentId}: {reason}",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_APPROVAL_DENIED: spec({
    message: "approval {id} ended as {outcome}; the command did not run",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_APPROVAL_NOT_FOUND: spec({
    message: "no pending approval {id}; it may have expired or been resolved already",
    layer: "tool",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 1,
  }),
  PAL_TOOL_APPROVAL_MISMATCH: spec({
    message: "the command changed after approval {id} ({detail}); it needs a new approval",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_APPROVALS_FULL: spec({
    message: "too many pending approvals ({limit}); resolve some with `palisade approvals list`",
    layer: "tool",
    wire: "RATE_LIMITED",
    http: 429,
    exit: 1,
    retryable: true,
  }),
  PAL_TOOL_MESSAGE_REFUSED: spec({
    message: "message to {target} refused: {reason}",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_SESSION_REFUSED: spec({
    message: "session {key} refused: {reason}",
    layer: "tool",
    wire: "FORBIDDEN",
    http: 403,
    exit: 1,
  }),
  PAL_TOOL_EDIT_FAILED: spec({
    message: "edit of {path} failed: {detail}",
    layer: "tool",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 1,
  }),
  PAL_TOOL_PROCESS_NOT_FOUND: spec({
    message: "no background process {id} in this session; `process list` shows them",
    layer: "tool",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 1,
  }),
  // access
  PAL_ACCESS_PAIRING_NOT_FOUND: spec({
    message:
      "no open pairing request with code {code} on {channel}; it may have expired (1 hour) or been decided. `palisade pairing list` shows open ones",
    layer: "access",
    wire: "INVALID_REQUEST",
    http: 404,
    exit: 2,
  }),
  PAL_ACCESS_BAD_CODE: spec({
    message: "{code} is not a pairing code; codes are 8 characters from A-Z and 2-9 without I and O",
    layer: "access",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_ACCESS_CHANNEL_REQUIRED: spec({
    message: "{detail}; name the channel, e.g. `palisade pairing approve telegram <code>`",
    layer: "access",
    wire: "INVALID_REQUEST",
    http: 400,
    exit: 2,
  }),
  PAL_ACCESS_ROLE_IN_CONFIG: spec({
    message:
      "{channel}:{sender} has role {role} in access.roles; config roles win, so change it there (`palisade config unset access.roles`)",
    layer: "access",
    wire: "CONFLICT",
    http: 409,
    exit: 2,
  }),
  // internal
  PAL_INTERNAL: spec({
    message: "internal error",
    layer: "internal",
    wire: "INTERNAL",
    http: 500,
    exit: 1,
  }),
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
