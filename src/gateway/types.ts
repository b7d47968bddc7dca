/** Public option and handle types of the gateway server. */
import type { NetworkInterfaceInfo } from "node:os";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/schema/gateway.js";
import type { DeviceStore } from "../store/index.js";
import type { MethodRegistry } from "./method-registry.js";
import type { Scope } from "./scopes.js";

import type { GatewaySecurityEvent } from "./security-events.js";

/** Options of {@link startGateway}; resolved and validated once at start. */
export interface GatewayServerOptions {
  /** The parsed `gateway` config section (zod defaults applied). */
  gateway: GatewayConfig;
  /** Resolved secrets (env substituted, generated token in place). Never logged. */
  auth: { token?: string; password?: string };
  /** Where the gateway logs; secrets are never passed to it. */
  logger: Logger;
  /** JSON-lines log file that `logs.tail` reads; without it `logs.tail` answers empty. */
  logFile?: string;
  /** Applied to every line `logs.tail` returns (default: identity). */
  redact?: (text: string) => string;
  /** Listen override (tests use port 0); the bind safety checks still apply to it. */
  listen?: { host?: string; port?: number };
  /** Injected `os.networkInterfaces`, for tailnet/auto bind resolution and Host checks. */
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Injected clock in ms (default `Date.now`). */
  now?: () => number;
  /** Interval of `tick` events (default 30,000 ms). */
  tickIntervalMs?: number;
  /** Silence allowed before `connect` (default 10,000 ms); then the socket closes with 1008. */
  handshakeTimeoutMs?: number;
  /** Outgoing buffer per connection before it is cut as a slow consumer (default 50 MiB). */
  maxBufferedBytes?: number;
  /** Max simultaneous WebSocket connections, authenticated or not (default 1024). */
  maxConnections?: number;
  /** How long `close()` waits for in-flight requests (default 10,000 ms). */
  drainTimeoutMs?: number;
  /** Called for every security-relevant refusal (bad credentials, lockouts, foreign Origin, ...); default none. */
  onSecurityEvent?: (e: GatewaySecurityEvent) => void;
  /**
   * Paired devices and their tokens. Without it a presented device identity is treated as
   * unpaired (refused remotely and for browsers), as before device pairing existed.
   */
  devices?: DeviceStore;
  /** Folder of the built Control UI (default dist/ui beside the build); tests point it elsewhere. */
  controlUiRoot?: string;
  /** Extra fields for the `gateway` block of `status` (e.g. reload state). */
  status?: () => Record<string, unknown>;
}

/** A running gateway. */
export interface GatewayServer {
  /** The address it listens on. */
  readonly host: string;
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** `ws://host:port`. */
  readonly url: string;
  /** Subsystem readiness behind `/readyz`: 200 only when every registered stage is ready. */
  readonly readiness: {
    set(stage: string, ready: boolean): void;
    /**
     * Registers a stage whose readiness is read on every probe (`/readyz`, `health`): load
     * stages such as an overloaded run queue, which change faster than anyone would `set` them.
     */
    probe(stage: string, ready: () => boolean): void;
  };
  /** The method table; later subsystems register their methods here. */
  readonly methods: MethodRegistry;
  /** Adds event names to those advertised in `hello-ok.features.events` (subsystems call it at setup). */
  declareEvents(names: readonly string[]): void;
  /** Sends an event to every connection allowed to see it (`scope`, else read for non-transport events). */
  broadcast(event: string, payload: unknown, opts?: { scope?: Scope }): void;
  /** Re-checks every device-bound connection now, closing those whose access is gone. */
  recheckConnections(): void;
  /** Drains in-flight requests, sends `shutdown`, closes sockets with 1012, stops listening. */
  close(reason?: string): Promise<void>;
}
