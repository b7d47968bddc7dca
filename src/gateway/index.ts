/**
 * The gateway: one port for HTTP and WebSocket, OpenClaw protocol v4, auth, scopes and the
 * method table. Other domains import it only through this file.
 */

export { isPlaceholderSecret, MIN_REMOTE_TOKEN_LENGTH } from "./bind.js";
export { MAX_PREAUTH_PAYLOAD_BYTES } from "./frames.js";
export type { MethodContext, MethodSpec } from "./method-registry.js";
export { MethodRegistry } from "./method-registry.js";
export type { AuthMethod, Role, Scope } from "./scopes.js";
export { SCOPES } from "./scopes.js";
export type { GatewaySecurityEvent, GatewaySecurityEventType } from "./security-events.js";
export { startGateway } from "./server.js";
export type { GatewayServer, GatewayServerOptions } from "./types.js";
