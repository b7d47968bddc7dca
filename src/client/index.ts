import { randomUUID } from "node:crypto";
import { fail, type WireError } from "../core/errors.js";
import { PROTOCOL_VERSION, VERSION } from "../core/version.js";

/** How to reach and authenticate to a gateway. */
export interface GatewayClientOptions {
  /** `ws://host:port`; never carries credentials (they go in the connect frame). */
  readonly url: string;
  /** Shared gateway token (auth mode token). */
  readonly token?: string | undefined;
  /** Shared password (auth mode password). */
  readonly password?: string | undefined;
  /** Scopes to ask for; the server decides what is granted. Default read+write+admin+approvals+pairing. */
  readonly scopes?: readonly string[];
  /** OpenClaw client id; default `cli`. */
  readonly clientId?: string;
  /** OpenClaw client mode; default `cli`. */
  readonly clientMode?: string;
  /** Milliseconds to wait for the handshake and for each call; default 10000. */
  readonly timeoutMs?: number;
  /** Extra fields merged into connect params, given the challenge nonce (e.g. a signed `device`). */
  readonly connectExtra?: (nonce: string) => Record<string, unknown>;
}

/** The server's hello-ok payload (the fields this client reads; the rest is passed through). */
export interface HelloOk {
  type: "hello-ok";
  protocol: number;
  server?: { version?: string; connId?: string };
  features?: { methods?: string[]; events?: string[] };
  auth?: { role?: string; scopes?: string[]; deviceToken?: string };
  policy?: { maxPayload?: number; maxBufferedBytes?: number; tickIntervalMs?: number };
  [k: string]: unknown;
}

/** An event frame from the gateway. */
export interface GatewayEvent {
  event: string;
  payload?: unknown;
  seq?: number | undefined;
}

/** An error answer from the gateway, carrying OpenClaw's wire error. */
export class GatewayCallError extends Error {
  override readonly name = "GatewayCallError";
  constructor(readonly error: WireError) {
    super(`${error.code}: ${error.message}`);
  }
}

/** A connected client. */
export interface GatewayClient {
  readonly hello: HelloOk;
  /** Sends a request and resolves with its payload; rejects with {@link GatewayCallError}. */
  call<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** Subscribes to events; returns an unsubscribe function. */
  onEvent(fn: (ev: GatewayEvent) => void): () => void;
  /** Resolves when the socket closes, with its close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

const DEFAULT_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
];

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * Connects with OpenClaw's handshake: waits for `connect.challenge`, sends `req connect`, and
 * resolves on `hello-ok`. Uses Node's built-in WebSocket.
 */
export function connectGateway(opts: GatewayClientOptions): Promise<GatewayClient> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolveConnect, rejectConnect) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(opts.url);
    } catch (err) {
      rejectConnect(fail("PAL_GATEWAY_UNREACHABLE", { url: opts.url, detail: (err as Error).message }));
      return;
    }
    const pending = new Map<string, Pending>();
    const listeners = new Set<(ev: GatewayEvent) => void>();
    let hello: HelloOk | undefined;
    let settle: ((c: { code: number; reason: string }) => void) | undefined;
    const closed = new Promise<{ code: number; reason: string }>((r) => {
      settle = r;
    });
    const handshakeTimer = setTimeout(() => {
      rejectConnect(
        fail("PAL_GATEWAY_UNREACHABLE", { url: opts.url, detail: "no handshake answer in time" }),
      );
      ws.close();
    }, timeoutMs);

    const send = (frame: unknown) => ws.send(JSON.stringify(frame));
    const request = <T>(method: string, params: unknown): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (ws.readyState !== WebSocket.OPEN) {
          reject(fail("PAL_GATEWAY_UNREACHABLE", { url: opts.url, detail: "connection is closed" }));
          return;
        }
        const id = randomUUID();
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(
            fail("PAL_GATEWAY_UNREACHABLE", {
              url: opts.url,
              detail: `${method} got no answer in ${timeoutMs} ms`,
            }),
          );
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        send(params === undefined ? { type: "req", id, method } : { type: "req", id, method, params });
      });

    ws.addEventListener("message", (msg) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(String(msg.data)) as Record<string, unknown>;
      } catch {
        return;
      }
      if (frame.type === "event") {
        const ev = {
          event: String(frame.event),
          payload: frame.payload,
          seq: frame.seq as number | undefined,
        };
        if (ev.event === "connect.challenge" && !hello) {
          const nonce = String((frame.payload as { nonce?: unknown } | undefined)?.nonce ?? "");
          const auth: Record<string, string> = {};
          if (opts.token) auth.token = opts.token;
          if (opts.password) auth.password = opts.password;
          request<HelloOk>("connect", {
            minProtocol: PROTOCOL_VERSION,
            maxProtocol: PROTOCOL_VERSION,
            client: {
              id: opts.clientId ?? "cli",
              version: VERSION,
              platform: process.platform,
              mode: opts.clientMode ?? "cli",
              instanceId: randomUUID(),
            },
            role: "operator",
            scopes: [...(opts.scopes ?? DEFAULT_SCOPES)],
            caps: [],
            auth,
            ...(opts.connectExtra?.(nonce) ?? {}),
          }).then(
            (h) => {
              clearTimeout(handshakeTimer);
              hello = h;
              resolveConnect(client);
            },
            (err) => {
              clearTimeout(handshakeTimer);
              rejectConnect(err);
            },
          );
          return;
        }
        for (const fn of listeners) fn(ev);
        return;
      }
      if (frame.type === "res" && typeof frame.id === "string") {
        const p = pending.get(frame.id);
        if (!p) return;
        pending.delete(frame.id);
        clearTimeout(p.timer);
        if (frame.ok === true) p.resolve(frame.payload);
        else
          p.reject(
            new GatewayCallError((frame.error ?? { code: "INTERNAL", message: "error" }) as WireError),
          );
      }
    });
    ws.addEventListener("error", () => {
      // The close event follows and carries the detail.
    });
    ws.addEventListener("close", (ev) => {
      clearTimeout(handshakeTimer);
      const reason = { code: ev.code, reason: ev.reason };
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(
          fail("PAL_GATEWAY_UNREACHABLE", {
            url: opts.url,
            detail: `connection closed (${ev.code} ${ev.reason})`,
          }),
        );
      }
      pending.clear();
      if (!hello) {
        rejectConnect(
          fail("PAL_GATEWAY_UNREACHABLE", {
            url: opts.url,
            detail:
              ev.code === 1006 ? "connection refused or dropped" : `closed ${ev.code} ${ev.reason}`.trim(),
          }),
        );
      }
      settle?.(reason);
    });

    const client: GatewayClient = {
      get hello() {
        return hello as HelloOk;
      },
      call: (method, params) => request(method, params),
      onEvent(fn) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      closed,
      close: () => ws.close(1000, "client closing"),
    };
  });
}
