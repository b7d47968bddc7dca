import { randomBytes } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { resolvePaths } from "../src/core/paths.js";
import { applySafeFixes, buildAuditContext, CHECK_IDS, CHECKS, runAudit } from "../src/security/index.js";

const BASELINE = readFileSync(join(import.meta.dirname, "fixtures/security/baseline.json5"), "utf8");
const TOKEN = randomBytes(32).toString("hex");
const ENV = { OPENCLAW_GATEWAY_TOKEN: TOKEN };
const up = { dockerAvailable: async () => true, bwrapAvailable: async () => true };
const down = { dockerAvailable: async () => false, bwrapAvailable: async () => false };

type Obj = Record<string, unknown>;
function merge(a: unknown, b: unknown): unknown {
  if (
    typeof a !== "object" ||
    a === null ||
    Array.isArray(a) ||
    typeof b !== "object" ||
    b === null ||
    Array.isArray(b)
  )
    return b;
  const out: Obj = { ...(a as Obj) };
  for (const [k, v] of Object.entries(b as Obj)) out[k] = merge(out[k], v);
  return out;
}

/** A private state dir holding the seeds' baseline config, optionally patched. */
function stateDir(patch?: unknown, text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "pal-sec-"));
  chmodSync(dir, 0o700);
  const body = text ?? (patch === undefined ? BASELINE : JSON.stringify(merge(JSON5.parse(BASELINE), patch)));
  writeFileSync(join(dir, "palisade.json"), body, { mode: 0o600 });
  return dir;
}

async function audit(dir: string, opts: { env?: Record<string, string>; probes?: typeof up } = {}) {
  const ctx = await buildAuditContext({
    paths: resolvePaths({ stateDir: dir, env: {} }),
    env: opts.env ?? ENV,
    cwd: dir,
    probes: opts.probes ?? up,
  });
  return { ctx, report: await runAudit(ctx) };
}

interface Case {
  readonly id: string;
  readonly patch?: unknown;
  readonly text?: string;
  readonly setup?: (dir: string) => void;
  readonly env?: Record<string, string>;
  readonly probes?: typeof up;
}

const file = (dir: string, rel: string, mode: number, body = "x") => {
  const p = join(dir, rel);
  mkdirSync(join(p, ".."), { recursive: true, mode: 0o700 });
  writeFileSync(p, body, { mode });
  chmodSync(p, mode);
  return p;
};
const weak = { OPENCLAW_GATEWAY_TOKEN: "short-token-123" };

const CASES: Case[] = [
  { id: "config.invalid", patch: { gateway: { prot: 1 } } },
  { id: "fs.state_dir.perms_world_writable", setup: (d) => chmodSync(d, 0o777) },
  { id: "fs.state_dir.perms_group_writable", setup: (d) => chmodSync(d, 0o770) },
  { id: "fs.state_dir.perms_readable", setup: (d) => chmodSync(d, 0o755) },
  { id: "fs.config.perms_writable", setup: (d) => chmodSync(join(d, "palisade.json"), 0o622) },
  { id: "fs.config.perms_world_readable", setup: (d) => chmodSync(join(d, "palisade.json"), 0o644) },
  { id: "fs.config.perms_group_readable", setup: (d) => chmodSync(join(d, "palisade.json"), 0o640) },
  { id: "fs.env_file.perms", setup: (d) => file(d, ".env", 0o644, "A=b\n") },
  { id: "fs.credentials.perms", setup: (d) => file(d, "credentials/auth-profiles.json", 0o644, "{}") },
  { id: "fs.gateway_token.perms", setup: (d) => file(d, "credentials/gateway.token", 0o644, TOKEN) },
  { id: "fs.store.perms", setup: (d) => file(d, "state.sqlite", 0o644) },
  { id: "fs.logs.perms", setup: (d) => file(d, "logs/palisade.log", 0o644) },
  { id: "fs.soul.perms_writable", setup: (d) => file(d, "workspace/SOUL.md", 0o666, "# soul") },
  { id: "gateway.bind_no_auth", patch: { gateway: { bind: "lan", auth: { mode: "none" } } } },
  { id: "gateway.loopback_no_auth", patch: { gateway: { auth: { mode: "none" } } } },
  { id: "gateway.bind_exposed", patch: { gateway: { bind: "lan" } } },
  { id: "gateway.auth.token_placeholder", env: { OPENCLAW_GATEWAY_TOKEN: "changeme" } },
  { id: "gateway.auth.token_too_short", env: weak },
  { id: "gateway.auth.token_low_entropy", env: { OPENCLAW_GATEWAY_TOKEN: "ab".repeat(32) } },
  {
    id: "gateway.auth.password_weak",
    patch: { gateway: { auth: { mode: "password", password: "${PW}" } } },
    env: { ...ENV, PW: "hunter2!" },
  },
  { id: "gateway.tailscale_funnel", patch: { gateway: { tailscale: { mode: "funnel" } } } },
  { id: "gateway.tailscale_identity_without_serve", patch: { gateway: { auth: { allowTailscale: true } } } },
  { id: "gateway.trusted_proxies.broad", patch: { gateway: { trustedProxies: ["0.0.0.0/0"] } } },
  {
    id: "gateway.trusted_proxy_no_user_allowlist",
    patch: { gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "trusted-proxy" } } },
  },
  {
    id: "gateway.control_ui.allowed_origins_wildcard",
    patch: { gateway: { controlUi: { allowedOrigins: ["*"] } } },
  },
  {
    id: "gateway.control_ui.insecure_origin",
    patch: { gateway: { controlUi: { allowedOrigins: ["http://box.lan:8080"] } } },
  },
  { id: "gateway.control_ui.exposed", patch: { gateway: { bind: "lan" } } },
  { id: "gateway.auth.rate_limit_weak", patch: { gateway: { auth: { rateLimit: { maxAttempts: 500 } } } } },
  { id: "config.secrets.gateway_auth_inline", patch: { gateway: { auth: { token: TOKEN } } } },
  {
    id: "config.secrets.channel_token_inline",
    patch: { channels: { telegram: { botToken: "123456:abcdefghijklmnopqrstuvwxyzABCDEFG" } } },
  },
  {
    id: "config.secrets.provider_key_inline",
    patch: { models: { providers: { openai: { apiKey: "sk-abcdefghijklmnop0123456789" } } } },
  },
  {
    id: "config.secrets.hooks_token_inline",
    patch: { hooks: { enabled: true, token: "hook-token-value-1234" } },
  },
  {
    id: "config.secrets.pattern_match",
    patch: { agents: { defaults: { workspace: "/srv/sk-abcdefghijklmnop0123456789" } } },
  },
  {
    id: "gateway.auth.token_reuse",
    patch: { models: { providers: { openai: { apiKey: "${OPENCLAW_GATEWAY_TOKEN}" } } } },
  },
  {
    id: "config.secrets.reused",
    patch: { channels: { telegram: { botToken: "${BOT}" }, discord: { token: "${BOT}" } } },
    env: { ...ENV, BOT: "123456:abcdefghijklmnopqrstuvwxyzABCDEFG" },
  },
  {
    id: "gateway.remote.token_mismatch",
    patch: { gateway: { remote: { token: "${OTHER}" } } },
    env: { ...ENV, OTHER: "x".repeat(40) },
  },
  { id: "channels.dm_open", patch: { channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } } } },
  { id: "channels.allow_from_wildcard", patch: { channels: { telegram: { groupAllowFrom: ["*"] } } } },
  { id: "channels.group_open", patch: { channels: { telegram: { groupPolicy: "open" } } } },
  {
    id: "channels.group_no_mention",
    patch: { channels: { telegram: { groups: { "*": { requireMention: false } } } } },
  },
  {
    id: "channels.elevated_reachable_from_groups",
    patch: { tools: { elevated: { enabled: true } }, channels: { telegram: { groupPolicy: "open" } } },
  },
  {
    id: "channels.token_file_perms",
    setup: (d) => {
      const p = file(d, "tg.token", 0o644, "123:abc");
      writeFileSync(
        join(d, "palisade.json"),
        JSON.stringify(merge(JSON5.parse(BASELINE), { channels: { telegram: { tokenFile: p } } })),
        { mode: 0o600 },
      );
    },
  },
  { id: "tools.exec.security_full", patch: { tools: { exec: { security: "full" } } } },
  { id: "tools.exec.ask_off", patch: { tools: { exec: { ask: "off" } } } },
  { id: "tools.exec.host_gateway", patch: { tools: { exec: { host: "gateway" } } } },
  {
    id: "tools.elevated.no_approval",
    patch: { tools: { elevated: { enabled: true, requireApproval: false } } },
  },
  {
    id: "tools.elevated.allow_from_wildcard",
    patch: { tools: { elevated: { enabled: true, allowFrom: ["*"] } } },
  },
  { id: "tools.profile_full", patch: { tools: { profile: "full" } } },
  { id: "tools.fs_without_sandbox", patch: { agents: { defaults: { sandbox: { mode: "off" } } } } },
  { id: "sandbox.mode_off", patch: { agents: { defaults: { sandbox: { mode: "off" } } } } },
  { id: "sandbox.backend_host", patch: { agents: { defaults: { sandbox: { backend: "host" } } } } },
  { id: "sandbox.backend_unavailable", probes: down },
  {
    id: "sandbox.docker.network",
    patch: { agents: { defaults: { sandbox: { docker: { network: "host" } } } } },
  },
  {
    id: "sandbox.docker.dangerous_bind",
    patch: {
      agents: { defaults: { sandbox: { docker: { binds: ["/var/run/docker.sock:/var/run/docker.sock"] } } } },
    },
  },
  {
    id: "sandbox.docker.read_only_root_off",
    patch: { agents: { defaults: { sandbox: { docker: { readOnlyRoot: false } } } } },
  },
  {
    id: "sandbox.docker.caps_not_dropped",
    patch: { agents: { defaults: { sandbox: { docker: { capDrop: ["NET_RAW"] } } } } },
  },
  {
    id: "sandbox.docker.seccomp_unconfined",
    patch: { agents: { defaults: { sandbox: { docker: { seccompProfile: "unconfined" } } } } },
  },
  { id: "sandbox.workspace_rw", patch: { agents: { defaults: { sandbox: { workspaceAccess: "rw" } } } } },
  { id: "logging.redact_off", patch: { logging: { redactSensitive: "off" } } },
  { id: "logging.level_verbose", patch: { logging: { level: "debug" } } },
  { id: "discovery.mdns_full_mode", patch: { discovery: { mdns: { mode: "full" } } } },
  { id: "hooks.enabled", patch: { hooks: { enabled: true } } },
  { id: "hooks.token_reuse_gateway_token", patch: { hooks: { token: "${OPENCLAW_GATEWAY_TOKEN}" } } },
  { id: "plugins.no_allowlist", patch: { plugins: { entries: {} } } },
  { id: "fs.state_dir.symlink", setup: () => undefined },
];

describe("security audit checks", () => {
  it("has at least 40 checks with unique ids, and a test case for every static one", () => {
    const ids = CHECKS.map((c) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
    const covered = new Set(CASES.map((c) => c.id));
    expect(ids.filter((id) => id !== "summary.attack_surface" && !covered.has(id))).toEqual([]);
  });

  it("stays quiet on the seeds' secure baseline (strong token, private state dir)", async () => {
    const { report } = await audit(stateDir());
    expect(report.findings.map((f) => f.id)).toEqual(["summary.attack_surface"]);
    expect(report.critical).toBe(false);
  });

  for (const c of CASES.filter((x) => x.id !== "fs.state_dir.symlink"))
    it(`fires ${c.id} on a crafted bad state`, async () => {
      const dir = stateDir(c.patch, c.text);
      c.setup?.(dir);
      const { report } = await audit(dir, {
        ...(c.env ? { env: c.env } : {}),
        ...(c.probes ? { probes: c.probes } : {}),
      });
      const hit = report.findings.find((f) => f.id === c.id);
      expect(hit, `${c.id} did not fire; got ${report.findings.map((f) => f.id).join(", ")}`).toBeDefined();
      expect(hit?.found.length).toBeGreaterThan(0);
      expect(hit?.why.length).toBeGreaterThan(0);
      expect(hit?.fix.length).toBeGreaterThan(0);
      expect(JSON.stringify(report)).not.toContain(TOKEN);
    });

  it("fires fs.state_dir.symlink on a symlinked state dir", async () => {
    const real = stateDir();
    const link = join(mkdtempSync(join(tmpdir(), "pal-link-")), "state");
    symlinkSync(real, link);
    const { report } = await audit(link);
    expect(report.findings.map((f) => f.id)).toContain("fs.state_dir.symlink");
  });
});

describe("security audit --fix", () => {
  it("changes only permissions, redaction and open groups, and says what it changed", async () => {
    const dir = stateDir({
      logging: { redactSensitive: "off" },
      channels: { telegram: { groupPolicy: "open" } },
      gateway: { bind: "lan", auth: { token: "${OPENCLAW_GATEWAY_TOKEN}" } },
      tools: { exec: { security: "full" } },
    });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "palisade.json"), 0o644);
    file(dir, "credentials/gateway.token", 0o644, TOKEN);
    const before = await audit(dir);
    const res = await applySafeFixes(before.ctx);
    expect(res.changes.join("\n")).toMatch(/chmod 700 .*pal-sec/);
    expect(res.changes.join("\n")).toContain("palisade.json");
    expect(res.changes.join("\n")).toContain("logging.redactSensitive");
    expect(res.changes.join("\n")).toContain("channels.telegram.groupPolicy");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "credentials", "gateway.token")).mode & 0o777).toBe(0o600);
    const cfg = JSON5.parse(readFileSync(join(dir, "palisade.json"), "utf8"));
    expect(cfg.logging.redactSensitive).toBe("tools");
    expect(cfg.channels.telegram.groupPolicy).toBe("allowlist");
    // never bind, auth, secrets or tool policy
    expect(cfg.gateway.bind).toBe("lan");
    expect(cfg.gateway.auth.token).toBe("${OPENCLAW_GATEWAY_TOKEN}");
    expect(cfg.tools.exec.security).toBe("full");
    expect(readFileSync(join(dir, "credentials", "gateway.token"), "utf8")).toBe(TOKEN);
    const after = await audit(dir);
    const ids = after.report.findings.map((f) => f.id);
    expect(ids).not.toContain("logging.redact_off");
    expect(ids).not.toContain("channels.group_open");
    expect(ids).not.toContain("fs.state_dir.perms_readable");
    expect(ids).toContain("tools.exec.security_full");
    // a second run has nothing left to change
    expect((await applySafeFixes(after.ctx)).changes).toEqual([]);
  });
});
