/**
 * One WebSocket from upgrade to close: challenge, `connect` handshake (protocol, params, rate
 * limit, auth, scope grant), `hello-ok`, then request dispatch. Anything unexpected before
 * `connect` closes the socket with 1008; nothing reaches a method without auth.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";
import { fail, type PalisadeError, toWireError } from "../core/errors.js";
import { PROTOCOL_VERSION, VERSION } from "../core/version.js";
import type { ClientIdentity } from "./auth.js";
import { recheckBinding } from "./device-grant.js";
import { type DispatchDeps, dispatch } from "./dispatch.js";
import {
  describeIssues,
  errorFrame,
  MAX_PREAUTH_PAYLOAD_BYTES,
  okFrame,
  requestFrameSchema,
  salvageId,
} from "./frames.js";
import { decideConnect, type HandshakeDeps } from "./handshake.js";
import type { Connection, ConnectionHub } from "./hub.js";

/** Limits advertised in `hello-ok.policy`. */
export interface Policy {
  readonly maxPayload: number;
  readonly maxBufferedBytes: number;
  readonly tickIntervalMs: number;
}

/** What a connection needs from the server. */
export interface ConnectionDeps extends HandshakeDeps {
  /** Told about every refused connect (security events for the audit log); default none. */
  readonly onRefused?: (err: PalisadeError, clientAddress: string) => void;
  readonly hub: ConnectionHub;
  readonly dispatch: DispatchDeps;
  readonly policy: Policy;
  readonly handshakeTimeoutMs: number;
  readonly logger: Logger;
  /** `hello-ok.features` and `snapshot`. */
  readonly hello: () => { features: { methods: string[]; events: string[] }; snapshot: unknown };
  /** True once shutdown began: new requests are refused as UNAVAILABLE. */
  readonly draining: () => boolean;
  /** Registers an in-flight request so shutdown can wait for it. */
  readonly track: (p: Promise<unknown>) => void;
  readonly signal: AbortSignal;
}

function sendRaw(ws: WebSocket, frame: object): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}

function dataLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function parseJson(data: RawData): unknown {
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString("utf8")
    : Buffer.from(data as Buffer).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Drives one socket. `identity` is the resolved caller; `req` the upgrade request. */
export function handleConnection(
  ws: WebSocket,
  req: IncomingMessage,
  identity: ClientIdentity,
  deps: ConnectionDeps,
): void {
  const connId = randomUUID();
  const log = deps.logger.child({ connId, client: identity.clientAddress });
  let conn: Connection | undefined;
  let closed = false;

  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    ws.close(code, reason);
  };
  const refuse = (id: string, err: PalisadeError, code = 1008) => {
    sendRaw(ws, errorFrame(id, toWireError(err)));
    log.info({ reason: err.code }, "connect refused");
    deps.onRefused?.(err, identity.clientAddress);
    close(code, err.code === "PAL_PROTO_MISMATCH" ? "protocol mismatch" : "connect refused");
  };

  const timer = setTimeout(() => {
    log.info("handshake timeout");
    close(1008, "handshake timeout");
  }, deps.handshakeTimeoutMs);

  const nonce = randomBytes(32).toString("base64url");
  sendRaw(ws, { type: "event", event: "connect.challenge", payload: { nonce, ts: deps.now() } });

  const handshake = (raw: unknown) => {
    const frame = requestFrameSchema.safeParse(raw);
    if (!frame.success || frame.data.method !== "connect") {
      const id = salvageId(raw);
      if (id !== undefined) {
        sendRaw(
          ws,
          errorFrame(
            id,
            toWireError(fail("PAL_PROTO_HANDSHAKE", { detail: "the first request must be connect" })),
          ),
        );
      }
      close(1008, "first frame must be a connect request");
      return;
    }
    const { id, params } = frame.data;
    const d = decideConnect(params, nonce, identity, req, deps);
    if (!d.ok) return refuse(id, d.error, d.closeCode);
    const p = d.params;
    clearTimeout(timer);
    const binding = d.binding;
    const devices = deps.devices;
    conn = {
      connId,
      ws,
      role: p.role,
      scopes: d.scopes,
      client: p.client,
      clientAddress: identity.clientAddress,
      deviceId: d.deviceId,
      connectedAt: deps.now(),
      seq: 0,
      ...(binding !== undefined && devices !== undefined
        ? { recheck: () => recheckBinding(devices, binding) }
        : {}),
    };
    const hello = deps.hello();
    sendRaw(
      ws,
      okFrame(id, {
        type: "hello-ok",
        protocol: PROTOCOL_VERSION,
        server: { version: VERSION, connId },
        features: hello.features,
        snapshot: hello.snapshot,
        auth: {
          role: p.role,
          scopes: d.scopes,
          ...(d.deviceToken !== undefined ? { deviceToken: d.deviceToken } : {}),
        },
        policy: { ...deps.policy },
      }),
    );
    deps.hub.add(conn);
    log.info(
      { clientId: p.client.id, role: p.role, scopes: d.scopes, auth: d.method, deviceId: d.deviceId },
      "connected",
    );
  };

  const request = (c: Connection, raw: unknown) => {
    if (typeof raw === "object" && raw !== null && (raw as { type?: unknown }).type === "cancel") return;
    const frame = requestFrameSchema.safeParse(raw);
    if (!frame.success) {
      const id = salvageId(raw);
      if (id === undefined) return close(1008, "invalid frame");
      deps.hub.send(
        c,
        errorFrame(id, toWireError(fail("PAL_PROTO_INVALID_FRAME", { detail: describeIssues(frame.error) }))),
      );
      return;
    }
    const f = frame.data;
    if (f.method === "connect") {
      deps.hub.send(
        c,
        errorFrame(f.id, toWireError(fail("PAL_PROTO_INVALID_FRAME", { detail: "already connected" }))),
      );
      return;
    }
    if (deps.draining()) {
      deps.hub.send(
        c,
        errorFrame(f.id, toWireError(fail("PAL_UNAVAILABLE", { detail: "gateway is shutting down" }))),
      );
      return;
    }
    // Re-checked on every frame: a revoked, rotated or removed device is cut here, not later.
    const scopes = c.recheck === undefined ? c.scopes : c.recheck();
    if (scopes === undefined) {
      deps.hub.remove(c.connId);
      sendRaw(
        ws,
        errorFrame(
          f.id,
          toWireError(
            fail(
              "PAL_NOT_PAIRED",
              { detail: "this device's access was revoked or removed" },
              { details: { code: "DEVICE_ACCESS_REVOKED" } },
            ),
          ),
        ),
      );
      return close(1008, "device access revoked");
    }
    const ctx = {
      connId,
      role: c.role,
      scopes,
      clientAddress: c.clientAddress,
      signal: deps.signal,
      transport: "ws" as const,
      deviceId: c.deviceId,
      clientId: c.client.id,
    };
    const pending = dispatch(f, ctx, deps.dispatch).then((res) => {
      deps.hub.send(c, res);
    });
    deps.track(pending);
  };

  ws.on("message", (data, isBinary) => {
    if (closed) return;
    if (conn === undefined && dataLength(data) > MAX_PREAUTH_PAYLOAD_BYTES)
      return close(1009, "frame too large before connect");
    if (isBinary) return close(1008, "binary frames are not supported");
    const raw = parseJson(data);
    if (raw === undefined) return close(1008, "invalid JSON");
    if (conn === undefined) handshake(raw);
    else request(conn, raw);
  });
  ws.on("close", () => {
    closed = true;
    clearTimeout(timer);
    if (conn !== undefined) deps.hub.remove(conn.connId);
  });
  ws.on("error", (err) => log.debug({ err: err.message }, "socket error"));
}
