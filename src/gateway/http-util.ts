/**
 * HTTP plumbing: the security headers every response carries, JSON replies, raw replies on an
 * upgrade socket, and a capped body reader.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { fail, PalisadeError, toWireError, type WireCode } from "../core/errors.js";

/** Headers on every HTTP response, errors and upgrade refusals included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

/** Sets the security headers on a response. */
export function applySecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** Sends a JSON body with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, head = false): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(head ? undefined : text);
}

/** HTTP status of a thrown value (500 for anything that is not a PalisadeError). */
export function httpStatusOf(err: unknown): number {
  return err instanceof PalisadeError ? err.httpStatus : 500;
}

const WIRE_STATUS: Record<WireCode, number> = {
  INVALID_REQUEST: 400,
  FORBIDDEN: 403,
  NOT_PAIRED: 403,
  UNAVAILABLE: 503,
  AGENT_TIMEOUT: 504,
  PROTOCOL_MISMATCH: 400,
  UNAUTHORIZED: 401,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

/** HTTP status for a wire error code (RPC over HTTP). */
export function httpStatusOfWire(code: WireCode): number {
  return WIRE_STATUS[code];
}

/** Sends `{ok:false, error}` for a thrown value. */
export function sendError(res: ServerResponse, err: unknown): void {
  const status = httpStatusOf(err);
  if (err instanceof PalisadeError && err.retryAfterMs !== undefined) {
    res.setHeader("Retry-After", String(Math.ceil(err.retryAfterMs / 1000)));
  }
  sendJson(res, status, { ok: false, error: toWireError(err) });
}

/** Writes a complete HTTP error response on a raw upgrade socket and closes it. */
export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const status = httpStatusOf(err);
  const body = JSON.stringify({ ok: false, error: toWireError(err) });
  const headers = {
    ...SECURITY_HEADERS,
    Connection: "close",
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n${lines.join("\r\n")}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Declared body length, or undefined when none was declared or it is malformed. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers["content-length"];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** Reads the body, failing with PAL_HTTP_BODY_TOO_LARGE past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      total += chunk.length;
      if (total > limit) {
        done = true;
        req.pause();
        reject(fail("PAL_HTTP_BODY_TOO_LARGE", { limit }));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}
