import { isPlaceholderSecret, MIN_REMOTE_TOKEN_LENGTH } from "../../gateway/index.js";
import { arr, cfg, entropyBits, obj, str } from "./helpers.js";
import type { AuditContext, Check, Hit } from "./types.js";

/** The gateway settings with their defaults (loopback, token auth). */
export function gatewayView(ctx: AuditContext) {
  const gw = obj(cfg(ctx).gateway);
  const auth = obj(gw.auth);
  const bind = str(gw.bind) ?? "loopback";
  const customHost = str(gw.customBindHost);
  const loopback =
    bind === "loopback" ||
    (bind === "custom" && customHost !== undefined && /^(127\.|::1$|localhost$)/.test(customHost));
  return {
    gw,
    auth,
    bind,
    loopback,
    mode: str(auth.mode) ?? "token",
    token: ctx.gatewayToken,
    password: str(auth.password),
    tailscale: str(obj(gw.tailscale).mode) ?? "off",
    controlUi: obj(gw.controlUi),
    trustedProxies: arr(gw.trustedProxies).filter((p): p is string => typeof p === "string"),
  };
}

const BROAD_PROXIES = new Set([
  "0.0.0.0/0",
  "::/0",
  "0.0.0.0",
  "::",
  "*",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
]);

/** Gateway exposure and authentication checks. */
export const GATEWAY_CHECKS: Check[] = [
  {
    id: "gateway.bind_no_auth",
    severity: "critical",
    title: "Gateway listens beyond loopback without auth",
    why: "Anyone who can reach the port controls the agent and its tools.",
    fix: 'set gateway.auth.mode to "token" (the default) or gateway.bind to "loopback"',
    run: (ctx) => {
      const v = gatewayView(ctx);
      return !v.loopback && v.mode === "none" ? [{ found: `bind "${v.bind}" with auth mode "none"` }] : [];
    },
  },
  {
    id: "gateway.loopback_no_auth",
    severity: "warn",
    title: "Gateway has auth turned off",
    why: "Every local process and every browser tab on this host can drive the gateway.",
    fix: 'set gateway.auth.mode to "token"; a token is generated on first run',
    run: (ctx) => {
      const v = gatewayView(ctx);
      return v.loopback && v.mode === "none" ? [{ found: 'gateway.auth.mode is "none"' }] : [];
    },
  },
  {
    id: "gateway.bind_exposed",
    severity: "warn",
    title: "Gateway listens beyond loopback",
    why: "The port is reachable from other machines; only auth stands between them and the agent.",
    fix: 'prefer gateway.bind "loopback" with Tailscale Serve or a reverse proxy in front',
    run: (ctx) => {
      const v = gatewayView(ctx);
      return !v.loopback && v.mode !== "none" ? [{ found: `gateway.bind is "${v.bind}"` }] : [];
    },
  },
  {
    id: "gateway.auth.token_placeholder",
    severity: "critical",
    title: "Gateway token is a placeholder",
    why: "A placeholder such as changeme is the first thing an attacker tries.",
    fix: "remove gateway.auth.token to have one generated, or set it to ${PALISADE_GATEWAY_TOKEN} holding 32+ random bytes",
    run: (ctx) => {
      const v = gatewayView(ctx);
      const written = str(v.auth.token);
      if (v.mode !== "token" || written === undefined) return [];
      return isPlaceholderSecret(v.token) ? [{ found: "gateway.auth.token is a placeholder or empty" }] : [];
    },
  },
  {
    id: "gateway.auth.token_too_short",
    severity: "warn",
    title: "Gateway token is short",
    why: `Tokens under ${MIN_REMOTE_TOKEN_LENGTH} characters can be guessed offline or by slow online attempts.`,
    fix: "run `palisade doctor --generate-gateway-token` for a 256-bit token",
    run: (ctx) => {
      const v = gatewayView(ctx);
      const t = v.token;
      if (v.mode !== "token" || t === undefined || isPlaceholderSecret(t)) return [];
      if (t.length >= MIN_REMOTE_TOKEN_LENGTH) return [];
      return [
        { found: `the gateway token has ${t.length} characters`, severity: v.loopback ? "warn" : "critical" },
      ];
    },
  },
  {
    id: "gateway.auth.token_low_entropy",
    severity: "warn",
    title: "Gateway token has little entropy",
    why: "A long but repetitive token (aaaa..., 1234...) is as weak as a short one.",
    fix: "run `palisade doctor --generate-gateway-token` for a random token",
    run: (ctx) => {
      const v = gatewayView(ctx);
      const t = v.token;
      if (
        v.mode !== "token" ||
        t === undefined ||
        isPlaceholderSecret(t) ||
        t.length < MIN_REMOTE_TOKEN_LENGTH
      )
        return [];
      const bits = entropyBits(t);
      return bits < 128 || new Set(t).size < 8
        ? [{ found: `about ${Math.round(bits)} bits of entropy` }]
        : [];
    },
  },
  {
    id: "gateway.auth.password_weak",
    severity: "warn",
    title: "Gateway password is weak",
    why: "Password auth is what protects a Funnel or LAN gateway; a weak one falls to guessing.",
    fix: "use a password of 16+ random characters from ${VAR}, or token auth",
    run: (ctx) => {
      const v = gatewayView(ctx);
      if (v.mode !== "password") return [];
      const p = v.password;
      if (p === undefined || isPlaceholderSecret(p))
        return [{ found: "gateway.auth.password is missing or a placeholder", severity: "critical" }];
      return p.length < 16 ? [{ found: `the password has ${p.length} characters` }] : [];
    },
  },
  {
    id: "gateway.tailscale_funnel",
    severity: "warn",
    title: "Tailscale Funnel exposes the gateway to the internet",
    why: "Funnel publishes the gateway on a public HTTPS address; every internet host can try to log in.",
    fix: 'use gateway.tailscale.mode "serve" (tailnet only); keep Funnel only with password auth',
    run: (ctx) => {
      const v = gatewayView(ctx);
      if (v.tailscale !== "funnel") return [];
      return [
        {
          found: `gateway.tailscale.mode is "funnel" with auth mode "${v.mode}"`,
          severity: v.mode === "password" ? "warn" : "critical",
        },
      ];
    },
  },
  {
    id: "gateway.tailscale_identity_without_serve",
    severity: "warn",
    title: "Tailscale identity headers trusted without Tailscale Serve",
    why: "Without Serve in front, anyone who can reach the port can forge the identity headers.",
    fix: 'set gateway.auth.allowTailscale false, or gateway.tailscale.mode "serve"',
    run: (ctx) => {
      const v = gatewayView(ctx);
      return v.auth.allowTailscale === true && v.tailscale !== "serve"
        ? [{ found: `allowTailscale is true with tailscale mode "${v.tailscale}"` }]
        : [];
    },
  },
  {
    id: "gateway.trusted_proxies.broad",
    severity: "critical",
    title: "Trusted proxies cover whole networks",
    why: "Every address in a trusted range can forge X-Forwarded-For and the proxy user header.",
    fix: "list only the proxy's own address in gateway.trustedProxies (e.g. 127.0.0.1)",
    run: (ctx) =>
      gatewayView(ctx)
        .trustedProxies.filter((p) => BROAD_PROXIES.has(p) || /\/([0-7])$/.test(p))
        .map((p) => ({ found: `gateway.trustedProxies contains "${p}"` })),
  },
  {
    id: "gateway.trusted_proxy_no_user_allowlist",
    severity: "warn",
    title: "Trusted-proxy auth accepts any user",
    why: "Every user the proxy authenticates gets full operator access.",
    fix: "list operators in gateway.auth.trustedProxy.allowUsers",
    run: (ctx) => {
      const v = gatewayView(ctx);
      if (v.mode !== "trusted-proxy") return [];
      return arr(obj(v.auth.trustedProxy).allowUsers).length === 0
        ? [{ found: "gateway.auth.trustedProxy.allowUsers is empty" }]
        : [];
    },
  },
  {
    id: "gateway.control_ui.allowed_origins_wildcard",
    severity: "critical",
    title: 'Control UI allows every origin ("*")',
    why: "Any web page the operator visits can open a socket to the gateway (cross-site WebSocket hijacking).",
    fix: "list exact origins (https://host:port) in gateway.controlUi.allowedOrigins",
    run: (ctx) =>
      arr(gatewayView(ctx).controlUi.allowedOrigins).includes("*")
        ? [{ found: 'gateway.controlUi.allowedOrigins contains "*"' }]
        : [],
  },
  {
    id: "gateway.control_ui.insecure_origin",
    severity: "warn",
    title: "Control UI allows a plain-http origin",
    why: "A page served over http can be altered in transit and then drive the gateway.",
    fix: "use https:// origins (localhost is fine over http)",
    run: (ctx) =>
      arr(gatewayView(ctx).controlUi.allowedOrigins)
        .filter((o): o is string => typeof o === "string" && o.startsWith("http://"))
        .filter((o) => !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(o))
        .map((o) => ({ found: `gateway.controlUi.allowedOrigins contains "${o}"` })),
  },
  {
    id: "gateway.control_ui.exposed",
    severity: "warn",
    title: "Control UI is served beyond loopback",
    why: "The admin UI is reachable from the network; it is a high-value target for phishing and CSRF.",
    fix: "set gateway.controlUi.enabled false, or keep the gateway on loopback behind Tailscale Serve",
    run: (ctx) => {
      const v = gatewayView(ctx);
      return !v.loopback && v.controlUi.enabled !== false
        ? [{ found: `Control UI on bind "${v.bind}"` }]
        : [];
    },
  },
  {
    id: "gateway.auth.rate_limit_weak",
    severity: "warn",
    title: "Failed-auth rate limit is weak",
    why: "A loose limit lets an attacker try many tokens or passwords per minute.",
    fix: "keep gateway.auth.rateLimit.maxAttempts at 10 or less and exemptLoopback false",
    run: (ctx) => {
      const v = gatewayView(ctx);
      const rl = obj(v.auth.rateLimit);
      const hits: Hit[] = [];
      const max = rl.maxAttempts;
      if (typeof max === "number" && max > 50) hits.push({ found: `maxAttempts is ${max}` });
      const proxied = v.tailscale !== "off" || v.trustedProxies.length > 0;
      if (rl.exemptLoopback === true && proxied)
        hits.push({
          found: "exemptLoopback is true while a proxy or Tailscale forwards remote clients via loopback",
        });
      return hits;
    },
  },
];
