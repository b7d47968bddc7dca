/**
 * The set of authenticated connections: per-connection event `seq`, scope-filtered broadcast,
 * slow-consumer cut-off, and the presence list that `system-presence` and `hello-ok` report.
 */
import { hostname } from "node:os";
import type { WebSocket } from "ws";
import { VERSION } from "../core/version.js";
import type { ConnectParams, EventFrame } from "./frames.js";
import { hasScope, type Role, type Scope } from "./scopes.js";

/** One authenticated connection. */
export interface Connection {
  readonly connId: string;
  readonly ws: WebSocket;
  readonly role: Role;
  readonly scopes: readonly Scope[];
  readonly client: ConnectParams["client"];
  readonly clientAddress: string;
  readonly deviceId: string | undefined;
  readonly connectedAt: number;
  seq: number;
  /**
   * For connections bound to a paired device: re-reads the device's token state and returns the
   * scopes still granted, or undefined once the token was revoked, rotated away or the device
   * removed. Called before every request and every event, so nothing is accepted from cache.
   */
  readonly recheck?: () => readonly Scope[] | undefined;
}

/** OpenClaw presence entry (subset we can fill). */
export interface PresenceEntry {
  host?: string;
  ip?: string;
  version?: string;
  platform?: string;
  deviceFamily?: string;
  mode?: string;
  reason?: string;
  text?: string;
  ts: number;
  deviceId?: string;
  roles?: string[];
  scopes?: string[];
  instanceId?: string;
}

/** Events any authenticated connection may see (transport and status). */
const OPEN_EVENTS = new Set(["tick", "shutdown", "presence", "health", "heartbeat"]);

/** Hub settings. */
export interface HubOptions {
  readonly maxBufferedBytes: number;
  readonly now: () => number;
  /** Called when a connection is cut for being too slow. */
  readonly onSlowConsumer: (conn: Connection) => void;
}

/** Authenticated connections and what they are sent. */
export class ConnectionHub {
  readonly #conns = new Map<string, Connection>();
  readonly #opts: HubOptions;
  #presenceVersion = 0;
  readonly #startedAt: number;

  constructor(opts: HubOptions) {
    this.#opts = opts;
    this.#startedAt = opts.now();
  }

  /** Connected count. */
  get size(): number {
    return this.#conns.size;
  }

  /** All connections (snapshot). */
  list(): Connection[] {
    return [...this.#conns.values()];
  }

  /** Monotonic counters for snapshot subtrees (OpenClaw `stateVersion`). */
  stateVersion(): { presence: number; health: number } {
    return { presence: this.#presenceVersion, health: 0 };
  }

  /** Milliseconds since the hub started. */
  uptimeMs(): number {
    return Math.max(0, this.#opts.now() - this.#startedAt);
  }

  /** Adds a connection and tells everyone presence changed. */
  add(conn: Connection): void {
    this.#conns.set(conn.connId, conn);
    this.#presenceChanged();
  }

  /** Removes a connection (idempotent). */
  remove(connId: string): void {
    if (this.#conns.delete(connId)) this.#presenceChanged();
  }

  #presenceChanged(): void {
    this.#presenceVersion += 1;
    this.broadcast("presence", { presence: this.presence() });
  }

  /**
   * Sends a frame to one connection. A connection whose outgoing buffer is already over
   * `maxBufferedBytes` is cut instead of buffering without bound. Returns false when not sent.
   */
  send(conn: Connection, frame: object): boolean {
    const { ws } = conn;
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > this.#opts.maxBufferedBytes) {
      this.#cut(conn);
      return false;
    }
    ws.send(JSON.stringify(frame));
    if (ws.bufferedAmount > this.#opts.maxBufferedBytes) {
      this.#cut(conn);
      return false;
    }
    return true;
  }

  #cut(conn: Connection): void {
    this.#conns.delete(conn.connId);
    this.#opts.onSlowConsumer(conn);
    conn.ws.terminate();
  }

  /** Sends an event with the connection's next `seq`. */
  sendEvent(conn: Connection, event: string, payload: unknown): boolean {
    conn.seq += 1;
    const frame: EventFrame = { type: "event", event, payload, seq: conn.seq };
    if (event === "presence") frame.stateVersion = this.stateVersion();
    return this.send(conn, frame);
  }

  /**
   * Broadcasts to every connection allowed to see it. With `scope`, only holders of it; without,
   * transport events go to all and anything else needs `operator.read` (fail closed).
   */
  broadcast(event: string, payload: unknown, scope?: Scope): void {
    for (const conn of this.list()) {
      const scopes = this.currentScopes(conn);
      if (scopes === undefined) continue;
      const required = scope ?? (OPEN_EVENTS.has(event) ? undefined : "operator.read");
      if (required !== undefined && (conn.role !== "operator" || !hasScope(scopes, required))) continue;
      this.sendEvent(conn, event, payload);
    }
  }

  /**
   * The scopes a connection holds right now: its grant, re-checked against the device store for
   * device-bound connections. A connection whose device access is gone is closed (1008) and
   * undefined is returned.
   */
  currentScopes(conn: Connection): readonly Scope[] | undefined {
    if (conn.recheck === undefined) return conn.scopes;
    const scopes = conn.recheck();
    if (scopes !== undefined) return scopes;
    if (this.#conns.delete(conn.connId)) this.#presenceChanged();
    conn.ws.close(1008, "device access revoked");
    return undefined;
  }

  /** Presence: the gateway itself, then one entry per connection. */
  presence(): PresenceEntry[] {
    const now = this.#opts.now();
    const self: PresenceEntry = {
      host: hostname() || "gateway",
      version: VERSION,
      platform: process.platform,
      mode: "gateway",
      reason: "self",
      text: "Palisade gateway",
      ts: now,
      roles: ["gateway"],
    };
    return [self, ...this.list().map((c) => toPresence(c, now))];
  }
}

function toPresence(c: Connection, now: number): PresenceEntry {
  const entry: PresenceEntry = {
    host: c.client.displayName ?? c.client.id,
    ip: c.clientAddress || "unknown",
    version: c.client.version,
    platform: c.client.platform,
    mode: c.client.mode,
    reason: "connect",
    text: `${c.client.displayName ?? c.client.id} (${c.role})`,
    ts: now,
    roles: [c.role],
    scopes: [...c.scopes],
  };
  if (c.client.deviceFamily !== undefined) entry.deviceFamily = c.client.deviceFamily;
  if (c.client.instanceId !== undefined) entry.instanceId = c.client.instanceId;
  if (c.deviceId !== undefined) entry.deviceId = c.deviceId;
  return entry;
}
