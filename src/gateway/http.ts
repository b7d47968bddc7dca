/**
 * HTTP side of the single port: guards shared with the WebSocket upgrade (credentials in the URL,
 * Host, Origin), `/healthz`, `/readyz`, and `POST /rpc` (the method table over HTTP with
 * `Authorization` auth, for scripts and probes), and the Control UI's static files
 * (http-static.ts). Everything else is 404.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { fail } from "../core/errors.js";
import {
  type AuthSettings,
  credentialsFromHeaders,
  hasSecretInQuery,
  resolveClient,
  verifyCredentials,
} from "./auth.js";
import { type DispatchDeps, dispatch } from "./dispatch.js";
import { describeIssues } from "./frames.js";
import type { ControlUiHandler } from "./http-static.js";
import {
  applySecurityHeaders,
  declaredLength,
  httpStatusOfWire,
  readBody,
  sendError,
  sendJson,
} from "./http-util.js";
import { hostAllowed, type OriginPolicy, originAllowed } from "./origin.js";
import type { AuthRateLimiter } from "./rate-limit.js";
import { grantScopes, SCOPES } from "./scopes.js";

/** What the HTTP handlers need. */
export interface HttpDeps {
  /** Told about every refused request (security events for the audit log); default none. */
  readonly onRefused?: (err: unknown, req: IncomingMessage) => void;
  readonly auth: AuthSettings;
  readonly origins: OriginPolicy;
  readonly limiter: AuthRateLimiter;
  readonly dispatch: DispatchDeps;
  readonly maxBodyBytes: number;
  /** The first registered stage that is not ready, or undefined when all are. */
  readonly notReady: () => string | undefined;
  readonly draining: () => boolean;
  readonly track: (p: Promise<unknown>) => void;
  readonly signal: AbortSignal;
  /** Serves the Control UI's files; default none (every other path is 404). */
  readonly controlUi?: ControlUiHandler;
}

const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);

/** Refusals every request and upgrade goes through first. Throws the typed error. */
export function guardRequest(req: IncomingMessage, deps: Pick<HttpDeps, "auth" | "origins">): void {
  if (hasSecretInQuery(req.url ?? "/", [deps.auth.token, deps.auth.password]))
    throw fail("PAL_AUTH_SECRET_IN_URL");
  const host = req.headers.host;
  if (!hostAllowed(host, deps.origins)) throw fail("PAL_FORBIDDEN_HOST", { host: clip(host ?? "(none)") });
  const origin = req.headers.origin;
  if (!originAllowed(origin, host, deps.origins)) {
    throw fail(
      "PAL_FORBIDDEN_ORIGIN",
      { origin: clip(origin ?? "") },
      { details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED" } },
    );
  }
}

const rpcBodySchema = z.object({
  id: z.string().min(1).max(128).optional(),
  method: z.string().min(1).max(128),
  params: z.unknown().optional(),
});

async function handleRpc(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  if (deps.draining()) throw fail("PAL_UNAVAILABLE", { detail: "gateway is shutting down" });
  const identity = resolveClient(req.socket.remoteAddress, req.headers, deps.auth.isTrustedProxy);
  const addr = identity.clientAddress;
  const limited = deps.limiter.check(addr);
  if (limited.locked) {
    const seconds = Math.ceil(limited.retryAfterMs / 1000);
    throw fail(
      "PAL_AUTH_RATE_LIMITED",
      { seconds },
      { retryAfterMs: limited.retryAfterMs, details: { code: "AUTH_RATE_LIMITED" } },
    );
  }
  const outcome = verifyCredentials(deps.auth, credentialsFromHeaders(req.headers), identity, req.headers);
  if (!outcome.ok) {
    deps.limiter.fail(addr);
    throw fail("PAL_AUTH_FAILED", { detail: outcome.detail }, { details: { code: outcome.detailCode } });
  }
  deps.limiter.succeed(addr);
  const grant = grantScopes({
    role: "operator",
    requested: SCOPES,
    authMethod: outcome.method,
    isLocal: identity.isLocal,
    hasOrigin: req.headers.origin !== undefined,
    hasDevice: false,
  });
  if (!grant.ok)
    throw fail(
      "PAL_NOT_PAIRED",
      { detail: "browser clients need a paired device" },
      { details: { code: grant.detailCode } },
    );
  const body = await readBody(req, deps.maxBodyBytes);
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw fail("PAL_PROTO_INVALID_FRAME", { detail: "body is not JSON" });
  }
  const parsed = rpcBodySchema.safeParse(json);
  if (!parsed.success) throw fail("PAL_PROTO_INVALID_FRAME", { detail: describeIssues(parsed.error) });
  const { id = "http", method, params } = parsed.data;
  const ctx = {
    connId: "http",
    role: "operator" as const,
    scopes: grant.scopes,
    clientAddress: addr,
    signal: deps.signal,
    transport: "http" as const,
  };
  const pending = dispatch({ type: "req", id, method, params }, ctx, deps.dispatch);
  deps.track(pending);
  const frame = await pending;
  sendJson(res, frame.ok ? 200 : httpStatusOfWire(frame.error.code), frame);
}

/** The `request` listener. Never throws; every path answers with security headers. */
export function createRequestHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    applySecurityHeaders(res);
    const respond = async () => {
      guardRequest(req, deps);
      const len = declaredLength(req);
      if (len !== undefined && len > deps.maxBodyBytes) {
        res.setHeader("Connection", "close");
        throw fail("PAL_HTTP_BODY_TOO_LARGE", { limit: deps.maxBodyBytes });
      }
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const head = req.method === "HEAD";
      if ((req.method === "GET" || head) && path === "/healthz")
        return sendJson(res, 200, { ok: true }, head);
      if ((req.method === "GET" || head) && path === "/readyz") {
        const stage = deps.notReady();
        return stage === undefined
          ? sendJson(res, 200, { ready: true }, head)
          : sendJson(res, 503, { ready: false, stage }, head);
      }
      if (req.method === "POST" && path === "/rpc") return handleRpc(req, res, deps);
      if (deps.controlUi?.(req, res, path)) return;
      throw fail("PAL_HTTP_NOT_FOUND", { method: clip(req.method ?? "?"), path: clip(path) });
    };
    respond().catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (httpStatusOfErr(err) === 413) res.setHeader("Connection", "close");
      deps.onRefused?.(err, req);
      sendError(res, err);
    });
  };
}

function httpStatusOfErr(err: unknown): number | undefined {
  return typeof err === "object" && err !== null && "httpStatus" in err
    ? (err as { httpStatus: number }).httpStatus
    : undefined;
}
