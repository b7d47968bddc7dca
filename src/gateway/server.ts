/**
 * Composition: resolve the bind, build the auth settings and guards, listen on one port for HTTP
 * and WebSocket upgrades, run ticks, and shut down in order (drain, `shutdown` event, 1012).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { networkInterfaces } from "node:os";
import { WebSocketServer } from "ws";
import { fail } from "../core/errors.js";
import { trustedProxyMatcher } from "./address.js";
import type { AuthSettings } from "./auth.js";
import { resolveClient } from "./auth.js";
import { resolveBind } from "./bind.js";
import { handleConnection, type Policy } from "./connection.js";
import type { DispatchDeps } from "./dispatch.js";
import { createRequestHandler, guardRequest } from "./http.js";
import { createControlUi } from "./http-static.js";
import { rejectUpgrade } from "./http-util.js";
import { ConnectionHub } from "./hub.js";
import { IdempotencyCache } from "./idempotency.js";
import { MethodRegistry } from "./method-registry.js";
import { registerLogMethods } from "./methods/logs.js";
import { registerSystemMethods } from "./methods/system.js";
import { buildOriginPolicy } from "./origin.js";
import { AuthRateLimiter } from "./rate-limit.js";
import type { Scope } from "./scopes.js";
import { securityReporter } from "./security-events.js";
import type { GatewayServer, GatewayServerOptions } from "./types.js";

const MiB = 1024 * 1024;
/** Events the gateway itself emits (advertised in `hello-ok.features.events`). */
const EVENTS = [
  "connect.challenge",
  "tick",
  "presence",
  "shutdown",
  "device.pair.requested",
  "device.pair.resolved",
  "config.reloaded",
  "config.invalid",
];

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (err.code === "EADDRINUSE") reject(fail("PAL_GATEWAY_PORT_IN_USE", { port, host }, { cause: err }));
      else
        reject(
          fail(
            "PAL_UNAVAILABLE",
            { detail: `cannot listen on ${host}:${port}: ${err.code ?? "error"}` },
            { cause: err },
          ),
        );
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

/** Starts the gateway. Rejects with PAL_GATEWAY_UNSAFE_BIND before binding anything unsafe. */
export async function startGateway(opts: GatewayServerOptions): Promise<GatewayServer> {
  const cfg = opts.gateway;
  const now = opts.now ?? Date.now;
  const interfaces = opts.interfaces ?? networkInterfaces;
  const bind = resolveBind({ gateway: cfg, auth: opts.auth, interfaces, hostOverride: opts.listen?.host });
  const policy: Policy = Object.freeze({
    maxPayload: cfg.maxPayloadBytes ?? 4 * MiB,
    maxBufferedBytes: opts.maxBufferedBytes ?? 50 * MiB,
    tickIntervalMs: opts.tickIntervalMs ?? 30_000,
  });
  const maxBodyBytes = cfg.maxBodyBytes ?? MiB;
  const rl = cfg.auth?.rateLimit;
  const tp = cfg.auth?.trustedProxy;
  const auth: AuthSettings = Object.freeze({
    mode: cfg.auth?.mode ?? "token",
    token: opts.auth.token,
    password: opts.auth.password,
    userHeader: (tp?.userHeader ?? "x-forwarded-user").toLowerCase(),
    requiredHeaders: tp?.requiredHeaders ?? [],
    allowUsers: tp?.allowUsers ?? [],
    isTrustedProxy: trustedProxyMatcher(cfg.trustedProxies),
  });
  const limiter = new AuthRateLimiter({
    maxAttempts: rl?.maxAttempts ?? 10,
    windowMs: rl?.windowMs ?? 60_000,
    lockoutMs: rl?.lockoutMs ?? 300_000,
    exemptLoopback: rl?.exemptLoopback ?? false,
    now,
  });
  const interfaceAddresses = Object.values(interfaces()).flatMap((l) => (l ?? []).map((i) => i.address));
  const origins = buildOriginPolicy({
    boundHost: bind.host,
    extraHosts: cfg.customBindHost === undefined ? [] : [cfg.customBindHost],
    allowedOrigins: cfg.controlUi?.allowedOrigins ?? [],
    interfaceAddresses,
  });
  const logger = opts.logger.child({ module: "gateway" });
  const stages = new Map<string, boolean>();
  const probes = new Map<string, () => boolean>();
  const readiness = (): ReadonlyMap<string, boolean> => {
    if (probes.size === 0) return stages;
    const all = new Map(stages);
    for (const [stage, ready] of probes) all.set(stage, ready());
    return all;
  };
  const methods = new MethodRegistry();
  const abort = new AbortController();
  const inflight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  let draining = false;
  const hub = new ConnectionHub({
    maxBufferedBytes: policy.maxBufferedBytes,
    now,
    onSlowConsumer: (c) => logger.warn({ connId: c.connId }, "slow consumer disconnected"),
  });
  const dispatchDeps: DispatchDeps = { methods, idempotency: new IdempotencyCache({ now }), logger };
  registerSystemMethods(methods, {
    hub,
    now,
    readiness,
    ...(opts.status ? { extraStatus: opts.status } : {}),
  });
  registerLogMethods(methods, { logFile: opts.logFile, redact: opts.redact ?? ((t) => t) });

  const controlUi = createControlUi({
    enabled: cfg.controlUi?.enabled,
    basePath: cfg.controlUi?.basePath,
    root: opts.controlUiRoot,
  });
  logger.debug({ controlUi: controlUi.available }, "control ui");
  const reportSecurity = securityReporter(opts.onSecurityEvent);
  const notReady = () => [...readiness()].find(([, ready]) => !ready)?.[0];
  const httpDeps = {
    auth,
    origins,
    limiter,
    dispatch: dispatchDeps,
    maxBodyBytes,
    notReady,
    draining: () => draining,
    track,
    signal: abort.signal,
    controlUi: controlUi.handler,
    onRefused: (err: unknown, req: IncomingMessage) =>
      reportSecurity(
        err,
        resolveClient(req.socket.remoteAddress, req.headers, auth.isTrustedProxy).clientAddress,
        "http",
      ),
  };
  const server = createServer({ maxHeaderSize: 16 * 1024 }, createRequestHandler(httpDeps));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: policy.maxPayload,
    perMessageDeflate: false,
  });
  const maxConnections = opts.maxConnections ?? 1024;
  // Advertised in hello-ok.features.events: the built-in ones plus what subsystems declare.
  const events = new Set<string>(EVENTS);
  const connDeps = {
    auth,
    limiter,
    hub,
    dispatch: dispatchDeps,
    policy,
    handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000,
    now,
    devices: opts.devices,
    emit: (event: string, payload: unknown, scope: Scope) => hub.broadcast(event, payload, scope),
    logger,
    hello: () => ({
      features: { methods: methods.names(), events: [...events].sort() },
      snapshot: {
        presence: hub.presence(),
        health: {},
        stateVersion: hub.stateVersion(),
        uptimeMs: hub.uptimeMs(),
        authMode: auth.mode,
      },
    }),
    draining: () => draining,
    track,
    signal: abort.signal,
    onRefused: (err: unknown, clientAddress: string) => reportSecurity(err, clientAddress, "ws"),
  };
  server.on("upgrade", (req, socket, head) => {
    try {
      guardRequest(req, httpDeps);
      const path = (req.url ?? "/").split("?")[0];
      if (path !== "/") throw fail("PAL_HTTP_NOT_FOUND", { method: "GET", path: (path ?? "").slice(0, 100) });
      if (draining) throw fail("PAL_UNAVAILABLE", { detail: "gateway is shutting down" });
      if (wss.clients.size >= maxConnections)
        throw fail("PAL_UNAVAILABLE", { detail: "too many connections" });
    } catch (err) {
      httpDeps.onRefused(err, req);
      rejectUpgrade(socket, err);
      return;
    }
    const identity = resolveClient(req.socket.remoteAddress, req.headers, auth.isTrustedProxy);
    wss.handleUpgrade(req, socket, head, (ws) => handleConnection(ws, req, identity, connDeps));
  });
  server.on("clientError", (_err, socket) =>
    rejectUpgrade(socket, fail("PAL_PROTO_INVALID_FRAME", { detail: "bad HTTP request" })),
  );

  await listen(server, opts.listen?.port ?? cfg.port, bind.host);
  const address = server.address();
  const port =
    typeof address === "object" && address !== null ? address.port : (opts.listen?.port ?? cfg.port);
  const host = bind.host;
  const url = `ws://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const tick = setInterval(() => hub.broadcast("tick", { ts: now() }), policy.tickIntervalMs);
  tick.unref();
  logger.info({ host, port, bind: cfg.bind, authMode: auth.mode }, "gateway listening");

  let closing: Promise<void> | undefined;
  const close = (reason = "gateway stopping"): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      clearInterval(tick);
      server.close();
      const drainMs = opts.drainTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inflight]),
        new Promise((r) => {
          timer = setTimeout(r, drainMs);
        }),
      ]);
      clearTimeout(timer);
      abort.abort();
      hub.broadcast("shutdown", { reason });
      const closed = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            ws.once("close", () => resolve());
            ws.close(1012, "shutdown");
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 2000).unref();
          }),
      );
      await Promise.all(closed);
      wss.close();
      server.closeAllConnections();
      logger.info({ reason }, "gateway stopped");
    })();
    return closing;
  };

  return {
    host,
    port,
    url,
    readiness: {
      set: (stage, ready) => void stages.set(stage, ready),
      probe: (stage, ready) => void probes.set(stage, ready),
    },
    methods,
    declareEvents: (names) => {
      for (const n of names) events.add(n);
    },
    broadcast: (event, payload, o) => hub.broadcast(event, payload, o?.scope),
    recheckConnections: () => {
      for (const c of hub.list()) hub.currentScopes(c);
    },
    close,
  };
}
