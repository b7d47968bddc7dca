import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";

/** Largest webhook body accepted, bytes (an update is a few KiB). */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * Compares a presented secret with the expected one in constant time: both are hashed first,
 * so neither the content nor the length leaks through timing.
 */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Options of {@link startWebhookServer}. */
export interface WebhookServerOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly secret: string;
  /** Persists the update; the answer is 200 only after it resolved (else Telegram redelivers). */
  readonly onUpdate: (update: Update) => Promise<void>;
  /** Called for a refused request (bad secret), for health and logs. */
  readonly onRefused?: (reason: string) => void;
}

/** A running webhook listener. */
export interface WebhookServer {
  readonly port: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (b: Buffer) => {
      size += b.length;
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else parts.push(b);
    });
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * The Telegram webhook listener (webhook mode only; long polling needs no inbound port). It
 * answers only `POST <path>` carrying the configured secret in `X-Telegram-Bot-Api-Secret-Token`
 * (checked in constant time), and acknowledges an update only after it was persisted.
 */
export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "POST" || url.pathname !== opts.path) {
      res.writeHead(404).end();
      return;
    }
    const header = req.headers["x-telegram-bot-api-secret-token"];
    if (!secretMatches(typeof header === "string" ? header : undefined, opts.secret)) {
      opts.onRefused?.("secret token mismatch");
      res.writeHead(401).end();
      req.resume();
      return;
    }
    readBody(req)
      .then(async (body) => {
        if (body === undefined) {
          res.writeHead(413).end();
          return;
        }
        let update: Update;
        try {
          update = JSON.parse(body) as Update;
        } catch {
          res.writeHead(400).end();
          return;
        }
        await opts.onUpdate(update);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
