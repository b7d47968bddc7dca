import { createRedactor, isSensitiveKey } from "../../logging/index.js";
import { gatewayView } from "./checks-gateway.js";
import { isEnvRef, obj } from "./helpers.js";
import type { Check, Hit } from "./types.js";

/** One string leaf of a config tree with its dotted path. */
interface Leaf {
  readonly path: string;
  readonly key: string;
  readonly value: string;
}

function leaves(v: unknown, path = "", key = "", out: Leaf[] = [], depth = 0): Leaf[] {
  if (depth > 32 || out.length > 10_000) return out;
  if (typeof v === "string") out.push({ path, key, value: v });
  else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) leaves(x, `${path}[${i}]`, key, out, depth + 1);
  } else if (typeof v === "object" && v !== null)
    for (const [k, x] of Object.entries(v)) leaves(x, path === "" ? k : `${path}.${k}`, k, out, depth + 1);
  return out;
}

/** Secret-named fields written literally in the config as written (not `${VAR}`). */
function inlineSecrets(raw: unknown, prefix: RegExp): Leaf[] {
  return leaves(raw).filter(
    (l) => prefix.test(l.path) && isSensitiveKey(l.key) && l.value.trim() !== "" && !isEnvRef(l.value),
  );
}

const ENV_FIX = "move the value to the environment or <stateDir>/.env (0600) and write it as ${VAR_NAME}";

function inlineCheck(id: string, title: string, prefix: RegExp, why: string): Check {
  return {
    id,
    severity: "critical",
    title,
    why: `${why} Secrets in the config file leak through backups, screenshots, \`config get\` and support bundles.`,
    fix: ENV_FIX,
    run: (ctx) => inlineSecrets(ctx.raw, prefix).map((l) => ({ found: `${l.path} is written inline` })),
  };
}

/** Every secret value in the validated config, by path (for reuse checks). */
function secretValues(config: unknown): Leaf[] {
  return leaves(config).filter((l) => isSensitiveKey(l.key) && l.value.length >= 8);
}

let patternRedactor: ReturnType<typeof createRedactor> | undefined;

/** Secrets written inline and secrets reused across fields. */
export const SECRET_CHECKS: Check[] = [
  inlineCheck(
    "config.secrets.gateway_auth_inline",
    "Gateway token or password written in the config",
    /^gateway\./,
    "The gateway secret grants operator access.",
  ),
  inlineCheck(
    "config.secrets.channel_token_inline",
    "Channel token written in the config",
    /^channels\./,
    "A bot token lets its holder read and send as the bot.",
  ),
  inlineCheck(
    "config.secrets.provider_key_inline",
    "Model provider key written in the config",
    /^models\./,
    "A provider key spends your money and may reach your data.",
  ),
  inlineCheck(
    "config.secrets.hooks_token_inline",
    "Hook token written in the config",
    /^hooks\./,
    "The hook token lets callers inject messages into the agent.",
  ),
  {
    id: "config.secrets.pattern_match",
    severity: "warn",
    title: "Something that looks like a credential is in the config",
    why: "A value matching a known key format (sk-..., bot tokens, PEM keys, JWTs) sits in a plain field.",
    fix: `check the value; if it is a secret, ${ENV_FIX}`,
    run: (ctx) => {
      patternRedactor ??= createRedactor({});
      const r = patternRedactor;
      return leaves(ctx.raw)
        .filter((l) => !isSensitiveKey(l.key) && !isEnvRef(l.value) && r.text(l.value) !== l.value)
        .map((l) => ({ found: `${l.path} looks like a credential` }));
    },
  },
  {
    id: "gateway.auth.token_reuse",
    severity: "critical",
    title: "Gateway token is reused for another secret",
    why: "Whoever holds the other secret (a bot platform, a provider, a hook caller) can log in to the gateway.",
    fix: "give every secret its own random value; gateway.remote.token is the only field that should match",
    run: (ctx) => {
      const token = gatewayView(ctx).token;
      if (!token || token.length < 8) return [];
      return secretValues(ctx.config ?? {})
        .filter(
          (l) => l.value === token && l.path !== "gateway.auth.token" && l.path !== "gateway.remote.token",
        )
        .map((l) => ({ found: `${l.path} has the same value as the gateway token` }));
    },
  },
  {
    id: "config.secrets.reused",
    severity: "warn",
    title: "The same secret is used in several fields",
    why: "One leak then compromises several systems, and rotating one silently breaks the others.",
    fix: "give every secret its own value",
    run: (ctx) => {
      const token = gatewayView(ctx).token;
      const byValue = new Map<string, string[]>();
      for (const l of secretValues(ctx.config ?? {})) {
        if (l.value === token || l.path === "gateway.remote.token") continue;
        byValue.set(l.value, [...(byValue.get(l.value) ?? []), l.path]);
      }
      const hits: Hit[] = [];
      for (const paths of byValue.values())
        if (paths.length > 1) hits.push({ found: `${paths.join(" and ")} hold the same value` });
      return hits;
    },
  },
  {
    id: "gateway.remote.token_mismatch",
    severity: "warn",
    title: "gateway.remote.token differs from gateway.auth.token",
    why: "Local clients then send the wrong token and fail, which tempts people to switch auth off.",
    fix: "write both as the same ${VAR}",
    run: (ctx) => {
      const gw = obj(obj(ctx.config).gateway);
      const remote = obj(gw.remote).token;
      const own = obj(gw.auth).token;
      return str2(remote) && str2(own) && remote !== own && gw.mode !== "remote"
        ? [{ found: "gateway.remote.token and gateway.auth.token differ" }]
        : [];
    },
  },
];

function str2(v: unknown): v is string {
  return typeof v === "string" && v !== "";
}

/** Exposed for the summary: how many secret fields are referenced as ${VAR}. */
export function countEnvSecrets(raw: unknown): number {
  return leaves(raw).filter((l) => isSensitiveKey(l.key) && isEnvRef(l.value)).length;
}

/**
 * Every secret value in a validated config (values of secret-named keys, 6+ characters): what
 * the log redactor must mask by value, whether or not it matches a known pattern.
 */
export function configuredSecrets(config: unknown): string[] {
  return [
    ...new Set(
      leaves(config)
        .filter((l) => isSensitiveKey(l.key) && l.value.length >= 6)
        .map((l) => l.value),
    ),
  ];
}
