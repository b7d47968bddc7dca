/**
 * The browser side of the gateway protocol (v4): open a socket to this page's own origin, wait
 * for `connect.challenge`, send `connect` with a device proof, then requests and events. The
 * shared token is only ever placed in the connect frame; it is not kept by this module.
 */
import { type DeviceIdentity, signText } from "./identity.js";

/** Scopes the UI asks for; the gateway grants what the device was approved for. */
export const UI_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
] as const;

const CLIENT = { id: "openclaw-control-ui", mode: "ui", version: "palisade-ui/0.1.0", platform: "web" };
/** How long a call may take before it is failed locally. */
const CALL_TIMEOUT_MS = 30_000;
/** How long the handshake may take. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** A wire error (`{code, message, details?}`). */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
  /** `details.code`, e.g. PAIRING_REQUIRED. */
  get detailCode(): string | undefined {
    return typeof this.details.code === "string" ? this.details.code : undefined;
  }
}

/** The parts of hello-ok the UI reads. */
export interface Hello {
  readonly server?: { version?: string; connId?: string };
  readonly features?: { methods?: string[]; events?: string[] };
  readonly auth?: { role?: string; scopes?: string[]; deviceToken?: string };
  readonly snapshot?: Record<string, unknown>;
}

/** Credentials for one connect: the shared token (first pairing) or the device token. */
export type Credentials = { readonly token: string } | { readonly deviceToken: string };

/** An event frame. */
export interface GatewayEvent {
  readonly event: string;
  readonly payload: unknown;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: number;
}

function toError(e: unknown): GatewayError {
  const o = (e ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  return new GatewayError(
    typeof o.code === "string" ? o.code : "INTERNAL",
    typeof o.message === "string" ? o.message : "request failed",
    typeof o.details === "object" && o.details !== null ? (o.details as Record<string, unknown>) : {},
  );
}

/** The socket URL of the gateway serving this page (same origin, path `/`). */
export function gatewayUrl(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
}

/** One authenticated connection. */
export class GatewayConnection {
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, Pending>();
  readonly #listeners = new Set<(e: GatewayEvent) => void>();
  #nextId = 1;
  /** hello-ok of this connection. */
  readonly hello: Hello;
  /** Resolves when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket, hello: Hello, closed: Promise<{ code: number; reason: string }>) {
    this.#ws = ws;
    this.hello = hello;
    this.closed = closed;
    ws.addEventListener("message", (m) => this.#onMessage(m.data));
    void closed.then(() => {
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.reject(new GatewayError("UNAVAILABLE", "connection closed"));
      }
      this.#pending.clear();
    });
  }

  /** Connects and authenticates; rejects with the gateway's error (e.g. NOT_PAIRED). */
  static async open(identity: DeviceIdentity, creds: Credentials): Promise<GatewayConnection> {
    const ws = new WebSocket(gatewayUrl());
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
    );
    const hello = await new Promise<Hello>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        reject(new GatewayError("UNAVAILABLE", "the gateway did not answer the handshake"));
        ws.close();
      }, HANDSHAKE_TIMEOUT_MS);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        ws.removeEventListener("message", onMessage);
        fn();
      };
      const onMessage = (m: MessageEvent) => {
        let frame: Record<string, unknown>;
        try {
          frame = JSON.parse(String(m.data)) as Record<string, unknown>;
        } catch {
          return;
        }
        if (frame.type === "event" && frame.event === "connect.challenge") {
          const nonce = String((frame.payload as { nonce?: unknown } | undefined)?.nonce ?? "");
          void connectFrame(identity, creds, nonce).then(
            (params) => ws.send(JSON.stringify({ type: "req", id: "connect", method: "connect", params })),
            (err: unknown) => done(() => reject(err)),
          );
        } else if (frame.type === "res" && frame.id === "connect") {
          if (frame.ok === true) done(() => resolve(frame.payload as Hello));
          else done(() => reject(toError(frame.error)));
        }
      };
      ws.addEventListener("message", onMessage);
      void closed.then((c) =>
        done(() => reject(new GatewayError("UNAVAILABLE", `the gateway closed the connection (${c.code})`))),
      );
    });
    return new GatewayConnection(ws, hello, closed);
  }

  /** Whether the gateway offers `method`. */
  has(method: string): boolean {
    return this.hello.features?.methods?.includes(method) ?? false;
  }

  /** Sends a request; resolves with its payload or rejects with a {@link GatewayError}. */
  call<T = unknown>(method: string, params?: unknown): Promise<T> {
    const id = `ui-${this.#nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.#pending.delete(id);
        reject(new GatewayError("UNAVAILABLE", `${method} timed out`));
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify({ type: "req", id, method, ...(params === undefined ? {} : { params }) }));
    });
  }

  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(fn: (e: GatewayEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Closes the socket. */
  close(): void {
    this.#ws.close(1000, "bye");
  }

  #onMessage(data: unknown): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(String(data)) as Record<string, unknown>;
    } catch {
      return;
    }
    if (frame.type === "res" && typeof frame.id === "string") {
      const p = this.#pending.get(frame.id);
      if (p === undefined) return;
      this.#pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.ok === true) p.resolve(frame.payload);
      else p.reject(toError(frame.error));
    } else if (frame.type === "event" && typeof frame.event === "string") {
      const ev = { event: frame.event, payload: frame.payload };
      for (const fn of this.#listeners) fn(ev);
    }
  }
}

/** OpenClaw's v3 device payload; mirrors buildDevicePayloadV3 in src/gateway/device-auth.ts. */
export function devicePayloadV3(f: {
  deviceId: string;
  scopes: readonly string[];
  signedAtMs: number;
  token: string;
  nonce: string;
}): string {
  return [
    "v3",
    f.deviceId,
    CLIENT.id,
    CLIENT.mode,
    "operator",
    f.scopes.join(","),
    String(f.signedAtMs),
    f.token,
    f.nonce,
    CLIENT.platform,
    "",
  ].join("|");
}

async function connectFrame(identity: DeviceIdentity, creds: Credentials, nonce: string) {
  const signedAt = Date.now();
  const token = "token" in creds ? creds.token : creds.deviceToken;
  const payload = devicePayloadV3({
    deviceId: identity.id,
    scopes: UI_SCOPES,
    signedAtMs: signedAt,
    token,
    nonce,
  });
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { ...CLIENT, displayName: `Control UI (${navigator.userAgent.slice(0, 80)})` },
    caps: [],
    role: "operator",
    scopes: UI_SCOPES,
    auth: "token" in creds ? { token: creds.token } : { deviceToken: creds.deviceToken },
    device: {
      id: identity.id,
      publicKey: identity.publicKey,
      signature: await signText(identity, payload),
      signedAt,
      nonce,
    },
    locale: navigator.language.slice(0, 32),
    userAgent: navigator.userAgent.slice(0, 500),
  };
}
