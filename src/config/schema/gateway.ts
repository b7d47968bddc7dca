import { z } from "zod";

/** Failed-auth rate limit per client address (OpenClaw: gateway.auth.rateLimit). */
export const authRateLimitSchema = z
  .strictObject({
    maxAttempts: z
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe("Failed attempts allowed per window before lockout."),
    windowMs: z
      .int()
      .min(1000)
      .max(86_400_000)
      .default(60_000)
      .describe("Window over which failures are counted."),
    lockoutMs: z
      .int()
      .min(1000)
      .max(86_400_000)
      .default(300_000)
      .describe("How long an address stays locked out."),
    exemptLoopback: z
      .boolean()
      .default(false)
      .describe("Exempt loopback clients (off by default: loopback is not trusted blindly)."),
  })
  .describe("Rate limit on failed authentication, per client address.");

/** Identity-header auth behind a reverse proxy (OpenClaw: gateway.auth.trustedProxy). */
export const trustedProxyAuthSchema = z
  .strictObject({
    userHeader: z
      .string()
      .min(1)
      .default("x-forwarded-user")
      .describe("Header carrying the authenticated user."),
    requiredHeaders: z.array(z.string().min(1)).optional().describe("Headers the proxy must also send."),
    allowUsers: z
      .array(z.string().min(1))
      .optional()
      .describe("Users allowed; empty allows any user the proxy vouches for."),
  })
  .describe("Settings for auth.mode trusted-proxy.");

/** `gateway.auth`: how clients authenticate; token mode with a generated token by default. */
export const gatewayAuthSchema = z
  .strictObject({
    mode: z
      .enum(["token", "password", "trusted-proxy", "none"])
      .default("token")
      .describe("How clients authenticate."),
    token: z.string().optional().describe("Shared token (use ${VAR}); generated on first run when unset."),
    password: z.string().optional().describe("Shared password for mode password (use ${VAR})."),
    allowTailscale: z
      .boolean()
      .optional()
      .describe("OpenClaw: accept Tailscale identity headers from tailscale serve."),
    rateLimit: authRateLimitSchema.optional(),
    trustedProxy: trustedProxyAuthSchema.optional(),
  })
  .describe("Gateway authentication.");

/** `gateway`: the one process and port; loopback bind and token auth by default. */
export const gatewaySchema = z
  .strictObject({
    port: z.int().min(1).max(65_535).default(18_789).describe("TCP port for HTTP and WebSocket."),
    mode: z
      .enum(["local", "remote"])
      .default("local")
      .describe("local runs a gateway here; remote points clients elsewhere."),
    bind: z
      .enum(["loopback", "lan", "tailnet", "custom", "auto"])
      .default("loopback")
      .describe("Which interface to listen on."),
    customBindHost: z.string().min(1).optional().describe("Address to bind when bind is custom."),
    auth: gatewayAuthSchema.optional(),
    trustedProxies: z
      .array(z.string().min(1))
      .optional()
      .describe("Proxy addresses whose forwarded headers are honoured."),
    tailscale: z
      .strictObject({
        mode: z.enum(["off", "serve", "funnel"]).default("off"),
        resetOnExit: z.boolean().optional(),
      })
      .optional(),
    controlUi: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Serve the Control UI at /."),
        basePath: z.string().optional(),
        allowedOrigins: z
          .array(z.string().min(1))
          .optional()
          .describe("Extra browser origins allowed to connect."),
      })
      .optional(),
    reload: z
      .strictObject({
        mode: z.enum(["hybrid", "hot", "restart", "off"]).default("hybrid"),
        debounceMs: z.int().min(0).max(60_000).default(300),
      })
      .optional(),
    remote: z
      .strictObject({
        url: z.string().optional(),
        token: z.string().optional(),
        password: z.string().optional(),
      })
      .optional()
      .describe("Where clients connect when mode is remote."),
    maxPayloadBytes: z
      .int()
      .min(65_536)
      .max(64 * 1024 * 1024)
      .optional()
      .describe("Max WS frame after connect (default 4 MiB)."),
    maxBodyBytes: z
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .optional()
      .describe("Max HTTP request body (default 1 MiB)."),
  })
  .describe("The gateway process: bind, port, auth, UI and reload.");

/** The validated `gateway` section. */
export type GatewayConfig = z.output<typeof gatewaySchema>;
