import { elevatedEnabled } from "./checks-channels.js";
import { gatewayView } from "./checks-gateway.js";
import { countEnvSecrets } from "./checks-secrets.js";
import { arr, cfg, channelScopes, obj, sandboxScopes, str } from "./helpers.js";
import type { Check } from "./types.js";

/** Config validity, logging, discovery, hooks and plugins, and the attack-surface summary. */
export const MISC_CHECKS: Check[] = [
  {
    id: "config.invalid",
    severity: "critical",
    title: "Config does not validate",
    why: "The gateway refuses to start on it; the rest of this audit read the config as written.",
    fix: "run `palisade config validate` and fix every problem it lists",
    run: (ctx) => ctx.problems.slice(0, 20).map((p) => ({ found: p })),
  },
  {
    id: "logging.redact_off",
    severity: "warn",
    title: "Log redaction is off",
    why: "Tokens, API keys and tool output are written to the logs as they are.",
    fix: 'set logging.redactSensitive "tools" (the default)',
    autoFix: true,
    run: (ctx) =>
      str(obj(cfg(ctx).logging).redactSensitive) === "off"
        ? [{ found: 'logging.redactSensitive is "off"' }]
        : [],
  },
  {
    id: "logging.level_verbose",
    severity: "info",
    title: "Verbose logging",
    why: "debug and trace logs carry request payloads; redaction still applies, but less is safer.",
    fix: 'set logging.level "info" outside debugging sessions',
    run: (ctx) => {
      const level = str(obj(cfg(ctx).logging).level);
      return level === "debug" || level === "trace" ? [{ found: `logging.level is "${level}"` }] : [];
    },
  },
  {
    id: "discovery.mdns_full_mode",
    severity: "warn",
    title: "mDNS broadcasts full details",
    why: "Full mode announces paths (revealing the user name), hostnames and ports to the whole LAN.",
    fix: 'set discovery.mdns.mode "minimal" or "off" (the default)',
    run: (ctx) =>
      str(obj(obj(cfg(ctx).discovery).mdns).mode) === "full"
        ? [{ found: 'discovery.mdns.mode is "full"' }]
        : [],
  },
  {
    id: "hooks.enabled",
    severity: "warn",
    title: "Webhook hooks are configured",
    why: "Hooks open an HTTP endpoint that injects messages into the agent; Palisade does not support them yet.",
    fix: "remove the hooks section (the config is refused while it is there)",
    run: (ctx) => (obj(ctx.raw).hooks !== undefined ? [{ found: "the config has a hooks section" }] : []),
  },
  {
    id: "hooks.token_reuse_gateway_token",
    severity: "critical",
    title: "Hook token equals the gateway token",
    why: "Every webhook caller could log in to the gateway as an operator.",
    fix: "give hooks.token its own random value",
    run: (ctx) => {
      const hook = obj(obj(ctx.raw).hooks).token;
      const token = gatewayView(ctx).token;
      const resolved =
        typeof hook === "string"
          ? hook.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, n: string) => ctx.env[n] ?? "")
          : "";
      return token && resolved === token ? [{ found: "hooks.token is the gateway token" }] : [];
    },
  },
  {
    id: "plugins.no_allowlist",
    severity: "warn",
    title: "Plugins load without an allowlist",
    why: "Plugins run inside the gateway process with its full rights; anything dropped in the extensions dir would load.",
    fix: "remove the plugins section (Palisade does not load plugins yet) or list plugins.allow explicitly",
    run: (ctx) => {
      const plugins = obj(ctx.raw).plugins;
      if (plugins === undefined) return [];
      return arr(obj(plugins).allow).length === 0
        ? [{ found: "plugins are configured without plugins.allow" }]
        : [
            {
              found: "the config has a plugins section (not supported; the config is refused)",
              severity: "info",
            },
          ];
    },
  },
  {
    id: "summary.attack_surface",
    severity: "info",
    title: "Attack surface summary",
    why: "What can reach the agent and what the agent can reach, in one place.",
    fix: "review it after every config change",
    run: (ctx) => {
      const root = cfg(ctx);
      const gw = gatewayView(ctx);
      const channels = channelScopes(root).map(
        (c) => `${c.path} (dm ${c.dmPolicy}, groups ${c.groupPolicy})`,
      );
      const sandbox = str(obj(sandboxScopes(root)[0]?.sandbox).mode) ?? "non-main";
      const exec = str(obj(obj(root.tools).exec).security) ?? "allowlist";
      const parts = [
        `gateway ${gw.bind} (${gw.loopback ? "loopback only" : "network"}), auth ${gw.mode}, tailscale ${gw.tailscale}`,
        `control UI ${gw.controlUi.enabled === false ? "off" : "on"}`,
        `channels: ${channels.length === 0 ? "none" : channels.join(", ")}`,
        `sandbox ${sandbox} (docker ${ctx.docker ? "up" : "down"}, bwrap ${ctx.bwrap ? "yes" : "no"})`,
        `exec ${exec}, elevated ${elevatedEnabled(root) ? "on" : "off"}`,
        `mdns ${str(obj(obj(root.discovery).mdns).mode) ?? "off"}`,
        `${countEnvSecrets(ctx.raw)} secret(s) referenced as \${VAR}`,
      ];
      return [{ found: parts.join("; ") }];
    },
  },
];
