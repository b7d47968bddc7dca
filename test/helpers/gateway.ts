/**
 * Test helpers for the gateway: start a real server on 127.0.0.1 port 0 and talk raw frames to
 * it with the `ws` client. Nothing is mocked: these are real sockets.
 */
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import pino from "pino";
import { WebSocket } from "ws";
import { type GatewayConfig, gatewaySchema } from "../../src/config/schema/gateway.js";
import { type GatewayServer, type GatewayServerOptions, startGateway } from "../../src/gateway/index.js";

/** A 64-hex-char token, like the generated one. */
export const TEST_TOKEN = randomBytes(32).toString("hex");

/** Parses a partial gateway config with the real schema (defaults applied). */
export function gatewayConfig(partial: Record<string, unknown> = {}): GatewayConfig {
  return gatewaySchema.parse(partial);
}

/** Starts a gateway on 127.0.0.1:0 with token auth unless overridden. */
export async function startTestGateway(
  overrides: Partial<GatewayServerOptions> & { config?: Record<string, unknown> } = {},
): Promise<GatewayServer> {
  const { config, ...rest } = overrides;
  return startGateway({
    gateway: gatewayConfig(config),
    auth: { token: TEST_TOKEN },
    logger: pino({ level: "silent" }),
    listen: { host: "127.0.0.1", port: 0 },
    handshakeTimeoutMs: 5_000,
    ...rest,
  });
}

/** Result of a closed socket. */
export interface Closed {
  code: number;
  reason: string;
}

/** A raw client: queued incoming frames and the close outcome. */
export class RawClient {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  readonly frames: Record<string, unknown>[] = [];
  #waiters: Array<(f: Record<string, unknown> | undefined) => void> = [];
  #done = false;

  constructor(url: string, headers: Record<string, string> = {}, maxPayload?: number) {
    this.ws = new WebSocket(url, { headers, ...(maxPayload === undefined ? {} : { maxPayload }) });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once("error", reject);
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.ws.once("close", (code, reason) => {
        this.#done = true;
        for (const w of this.#waiters.splice(0)) w(undefined);
        resolve({ code, reason: reason.toString() });
      });
    });
    this.ws.on("error", () => {});
    this.ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      const w = this.#waiters.shift();
      if (w) w(frame);
      else this.frames.push(frame);
    });
  }

  /** Next frame, or undefined once closed. */
  next(): Promise<Record<string, unknown> | undefined> {
    const f = this.frames.shift();
    if (f !== undefined) return Promise.resolve(f);
    if (this.#done) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Next frame matching `pred` (others are dropped). */
  async nextWhere(
    pred: (f: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown> | undefined> {
    for (;;) {
      const f = await this.next();
      if (f === undefined || pred(f)) return f;
    }
  }

  /** Response to request `id`. */
  response(id: string): Promise<Record<string, unknown> | undefined> {
    return this.nextWhere((f) => f.type === "res" && f.id === id);
  }

  /** Sends a JSON value (or a raw string). */
  send(value: unknown): void {
    this.ws.send(typeof value === "string" ? value : JSON.stringify(value));
  }

  /** Sends a request and returns its response. */
  async call(method: string, params?: unknown, id = `r-${randomBytes(4).toString("hex")}`) {
    this.send({ type: "req", id, method, ...(params === undefined ? {} : { params }) });
    const res = await this.response(id);
    if (res === undefined) throw new Error(`socket closed before the response to ${method}`);
    return res as {
      ok: boolean;
      payload?: unknown;
      error?: { code: string; message: string; details?: Record<string, unknown> };
    };
  }

  close(): void {
    this.ws.close();
  }
}

/** OpenClaw CLI-style connect params. */
export function connectParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "cli", version: "2026.9.0", platform: "linux", mode: "cli", instanceId: "test-1" },
    caps: [],
    role: "operator",
    scopes: ["operator.read", "operator.write", "operator.admin"],
    auth: { token: TEST_TOKEN },
    ...overrides,
  };
}

/** Opens a socket, reads the challenge, sends connect; returns the client and connect response. */
export async function connect(
  gw: Pick<GatewayServer, "url">,
  overrides: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const client = new RawClient(gw.url, headers);
  await client.opened;
  const challenge = await client.next();
  client.send({ type: "req", id: "c1", method: "connect", params: connectParams(overrides) });
  const res = await client.response("c1");
  if (res === undefined) throw new Error("socket closed before the connect response");
  return { client, challenge, res };
}

/** A plain HTTP request with full control over headers (Host included). */
export function httpRequest(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: opts.method ?? "GET",
        path: opts.path ?? "/",
        headers: opts.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
