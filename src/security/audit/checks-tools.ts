import { elevatedEnabled } from "./checks-channels.js";
import { arr, cfg, obj, sandboxScopes, str } from "./helpers.js";
import type { Check, Hit } from "./types.js";

const FS_TOOLS = ["write", "edit", "apply_patch", "group:fs", "exec", "group:runtime", "*"];

/** Tool blast-radius checks. */
export const TOOL_CHECKS: Check[] = [
  {
    id: "tools.exec.security_full",
    severity: "critical",
    title: "exec runs any command",
    why: 'With tools.exec.security "full" one injected message can run anything the gateway user can.',
    fix: 'set tools.exec.security "allowlist" (the default) and list safeBins',
    run: (ctx) =>
      str(obj(obj(cfg(ctx).tools).exec).security) === "full"
        ? [{ found: 'tools.exec.security is "full"' }]
        : [],
  },
  {
    id: "tools.exec.ask_off",
    severity: "warn",
    title: "exec never asks an operator",
    why: "Commands outside the allowlist run without a human in the loop.",
    fix: 'set tools.exec.ask "on-miss" (the default)',
    run: (ctx) => {
      const exec = obj(obj(cfg(ctx).tools).exec);
      return str(exec.ask) === "off" && str(exec.security) !== "deny"
        ? [{ found: 'tools.exec.ask is "off"' }]
        : [];
    },
  },
  {
    id: "tools.exec.host_gateway",
    severity: "warn",
    title: "exec runs on the gateway host",
    why: "Commands run next to the config, the store and the credentials instead of in a sandbox.",
    fix: 'set tools.exec.host "sandbox" (the default)',
    run: (ctx) =>
      str(obj(obj(cfg(ctx).tools).exec).host) === "gateway"
        ? [{ found: 'tools.exec.host is "gateway"' }]
        : [],
  },
  {
    id: "tools.elevated.no_approval",
    severity: "critical",
    title: "Elevated exec runs without approval",
    why: "Unsandboxed host commands run with no operator in the loop.",
    fix: "set tools.elevated.requireApproval true (the default)",
    run: (ctx) => {
      const root = cfg(ctx);
      if (!elevatedEnabled(root)) return [];
      const hits: Hit[] = [];
      if (obj(obj(root.tools).elevated).requireApproval === false)
        hits.push({ found: "tools.elevated.requireApproval is false" });
      const agents = obj(root.agents);
      if (obj(obj(obj(agents.defaults).tools).elevated).requireApproval === false)
        hits.push({ found: "agents.defaults.tools.elevated.requireApproval is false" });
      arr(agents.list).forEach((a, i) => {
        if (obj(obj(obj(a).tools).elevated).requireApproval === false)
          hits.push({ found: `agents.list[${i}].tools.elevated.requireApproval is false` });
      });
      return hits;
    },
  },
  {
    id: "tools.elevated.allow_from_wildcard",
    severity: "critical",
    title: 'Elevated exec allowed for "*"',
    why: "Every sender who reaches the agent may request host-level commands.",
    fix: 'list exact agent or sender ids in tools.elevated.allowFrom (e.g. ["main"])',
    run: (ctx) => {
      const root = cfg(ctx);
      if (!elevatedEnabled(root)) return [];
      return JSON.stringify(obj(obj(root.tools).elevated).allowFrom ?? []).includes('"*"')
        ? [{ found: 'tools.elevated.allowFrom contains "*"' }]
        : [];
    },
  },
  {
    id: "tools.profile_full",
    severity: "info",
    title: "Full tool profile",
    why: "The agent gets every tool; policy and sandbox are the only limits left.",
    fix: 'use tools.profile "coding" or "messaging" and add what you need with alsoAllow',
    run: (ctx) => (str(obj(cfg(ctx).tools).profile) === "full" ? [{ found: 'tools.profile is "full"' }] : []),
  },
  {
    id: "tools.fs_without_sandbox",
    severity: "warn",
    title: "File and exec tools run without a sandbox",
    why: "With sandbox mode off, write/edit/exec touch the host filesystem, including the state dir.",
    fix: 'set agents.defaults.sandbox.mode "non-main" (the default) or "all"',
    run: (ctx) => {
      const root = cfg(ctx);
      const tools = obj(root.tools);
      const hits: Hit[] = [];
      for (const s of sandboxScopes(root)) {
        if (str(s.sandbox.mode) !== "off") continue;
        const deny = [...arr(tools.deny), ...arr(s.agentTools.deny)];
        const denied = ["group:fs", "*"].some((d) => deny.includes(d)) && deny.includes("exec");
        const allow = [...arr(tools.allow), ...arr(s.agentTools.allow)];
        const explicitNone = allow.length > 0 && !allow.some((t) => FS_TOOLS.includes(String(t)));
        if (!denied && !explicitNone)
          hits.push({ found: `${s.path}.mode is "off" and fs/exec tools are allowed` });
      }
      return hits;
    },
  },
];
