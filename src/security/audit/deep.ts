import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WebSocket } from "ws";
import { PROTOCOL_VERSION, VERSION } from "../../core/version.js";
import { gatewayView } from "./checks-gateway.js";
import { obj } from "./helpers.js";
import type { AuditContext, Finding } from "./types.js";

/** How a probe ended: refused (good), accepted (bad), or no answer. */
type Outcome =
  | { kind: "refused"; detail: string }
  | { kind: "accepted"; detail: string }
  | { kind: "error"; detail: string };

/** Where the running gateway listens, from `<stateDir>/gateway.lock`. */
export function gatewayTarget(stateDir: string): { url: string; host: string; port: number } | undefined {
  try {
    const lock = JSON.parse(readFileSync(join(stateDir, "gateway.lock"), "utf8")) as {
      host?: unknown;
      port?: unknown;
    };
    if (typeof lock.port !== "number") return undefined;
    const raw = typeof lock.host === "string" ? lock.host : "127.0.0.1";
    const host = raw === "0.0.0.0" ? "127.0.0.1" : raw === "::" ? "::1" : raw;
    return { url: `ws://${host.includes(":") ? `[${host}]` : host}:${lock.port}`, host, port: lock.port };
  } catch {
    return undefined;
  }
}

interface ProbeOptions {
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Auth sent in the connect frame; none for an unauthenticated attempt. */
  readonly auth?: Record<string, string>;
  /** Source address (a spare loopback address keeps lockouts away from the operator's own). */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

/** Opens a socket, answers the challenge with `connect` and reports whether the gateway let it in. */
export function probeConnect(opts: ProbeOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(o);
    };
    const ws = new WebSocket(opts.url, {
      headers: opts.headers ?? {},
      handshakeTimeout: opts.timeoutMs ?? 5000,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    const timer = setTimeout(
      () => done({ kind: "error", detail: "no answer in time" }),
      opts.timeoutMs ?? 5000,
    );
    ws.on("unexpected-response", (_req, res) =>
      done({ kind: "refused", detail: `HTTP ${res.statusCode} on upgrade` }),
    );
    ws.on("error", (err) => done({ kind: "error", detail: err.message }));
    ws.on("close", (code) => done({ kind: "refused", detail: `closed with ${code}` }));
    ws.on("message", (data) => {
      let frame: Record<string, unknown>;
      try {
        frame = obj(JSON.parse(String(data)));
      } catch {
        return;
      }
      if (frame.type === "event" && frame.event === "connect.challenge") {
        ws.send(
          JSON.stringify({
            type: "req",
            id: randomUUID(),
            method: "connect",
            params: {
              minProtocol: PROTOCOL_VERSION,
              maxProtocol: PROTOCOL_VERSION,
              client: { id: "cli", version: VERSION, platform: process.platform, mode: "probe" },
              role: "operator",
              scopes: ["operator.read"],
              caps: [],
              ...(opts.auth ? { auth: opts.auth } : {}),
            },
          }),
        );
      } else if (frame.type === "res") {
        const err = obj(frame.error);
        if (frame.ok === true) done({ kind: "accepted", detail: "hello-ok" });
        else
          done({
            kind: "refused",
            detail: `${String(err.code)}: ${String(err.message ?? "")}`.slice(0, 200),
          });
      }
    });
  });
}

const finding = (id: string, title: string, found: string, why: string, fix: string): Finding => ({
  id,
  severity: "critical",
  title,
  found,
  why,
  fix,
});

/** Probe ids, for the catalog and tests. */
export const DEEP_CHECK_IDS = [
  "gateway.probe.unreachable",
  "gateway.probe.unauthenticated_connect",
  "gateway.probe.token_in_query",
  "gateway.probe.foreign_origin",
  "gateway.probe.no_rate_limit",
] as const;

/**
 * `--deep`: probes the running gateway named by the lock file. Each probe is an attack the
 * gateway must refuse; one that is let in is a critical finding. The rate-limit probe sends
 * failed logins from a spare loopback address (127.0.0.x) when it can, so the lockout it causes
 * does not lock the operator's own CLI out.
 */
export async function runDeepProbes(ctx: AuditContext): Promise<Finding[]> {
  const target = gatewayTarget(ctx.paths.stateDir);
  if (!target)
    return [
      {
        id: "gateway.probe.unreachable",
        severity: "info",
        title: "No running gateway to probe",
        found: `no gateway.lock with a port in ${ctx.paths.stateDir}`,
        why: "The deep probes need a running gateway.",
        fix: "start it (`palisade gateway run` or the systemd unit) and run the audit again",
      },
    ];
  const out: Finding[] = [];
  const { url } = target;
  const unauth = await probeConnect({ url });
  if (unauth.kind === "error")
    out.push({
      id: "gateway.probe.unreachable",
      severity: "warn",
      title: "Gateway named by the lock file does not answer",
      found: `${url}: ${unauth.detail}`,
      why: "A stale lock or a hung gateway; the deep probes could not run.",
      fix: "run `palisade doctor` (it clears a stale lock) and restart the gateway",
    });
  if (unauth.kind === "error") return out;
  if (unauth.kind === "accepted")
    out.push(
      finding(
        "gateway.probe.unauthenticated_connect",
        "Gateway accepted a connection without credentials",
        `${url} answered hello-ok to a connect without auth`,
        "Anyone who can reach the port is an operator.",
        'set gateway.auth.mode "token" and restart the gateway',
      ),
    );
  const secret = ctx.gatewayToken ?? randomBytes(16).toString("hex");
  const query = await probeConnect({
    url: `${url}/?token=${encodeURIComponent(secret)}`,
    auth: { token: secret },
  });
  if (query.kind === "accepted")
    out.push(
      finding(
        "gateway.probe.token_in_query",
        "Gateway accepted a token in the URL",
        `${url}/?token=… was let in`,
        "Tokens in URLs end up in proxy logs, browser history and Referer headers.",
        "upgrade Palisade; the gateway must refuse secrets in query strings",
      ),
    );
  const foreign = await probeConnect({
    url,
    headers: { Origin: "https://evil.example" },
    ...(ctx.gatewayToken ? { auth: { token: ctx.gatewayToken } } : {}),
  });
  // A foreign Origin must be refused at the upgrade (HTTP 403); getting as far as the connect
  // frame means the origin check let it through, whatever auth said afterwards.
  if (foreign.kind === "accepted" || (foreign.kind === "refused" && !foreign.detail.startsWith("HTTP ")))
    out.push(
      finding(
        "gateway.probe.foreign_origin",
        "Gateway accepted a foreign Origin",
        `${url} let a socket from https://evil.example upgrade`,
        "Any web page the operator opens could drive the gateway (cross-site WebSocket hijacking).",
        'remove "*" and foreign entries from gateway.controlUi.allowedOrigins and restart',
      ),
    );
  out.push(...(await probeRateLimit(ctx, url)));
  return out;
}

async function probeRateLimit(ctx: AuditContext, url: string): Promise<Finding[]> {
  const gw = gatewayView(ctx);
  const max = Math.min(50, Number(obj(gw.auth.rateLimit).maxAttempts ?? 10));
  const host = new URL(url).hostname;
  const spare =
    host === "127.0.0.1" || host === "localhost"
      ? `127.0.0.${100 + Math.floor(Math.random() * 100)}`
      : undefined;
  const wrong = {
    token: `probe-${randomBytes(16).toString("hex")}`,
    password: `probe-${randomBytes(16).toString("hex")}`,
  };
  let limited = false;
  for (let i = 0; i <= max + 1 && !limited; i++) {
    const o = await probeConnect({ url, auth: wrong, ...(spare ? { localAddress: spare } : {}) });
    if (o.kind === "accepted") break;
    if (/RATE_LIMITED|UNAVAILABLE|too many|429/i.test(o.detail)) limited = true;
  }
  if (limited || gw.mode === "none") return [];
  return [
    finding(
      "gateway.probe.no_rate_limit",
      "Gateway does not rate-limit failed logins",
      `${max + 2} wrong credentials in a row were all answered without a lockout`,
      "Without a lockout an attacker can guess tokens or passwords at network speed.",
      "keep gateway.auth.rateLimit on (the default) and restart the gateway",
    ),
  ];
}
