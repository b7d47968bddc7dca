import { existsSync } from "node:fs";
import { arr, cfg, channelScopes, modeText, obj, othersRead, str } from "./helpers.js";
import type { Check, Hit } from "./types.js";

/** True when elevated (host) exec is switched on anywhere. */
export function elevatedEnabled(root: Record<string, unknown>): boolean {
  if (obj(obj(root.tools).elevated).enabled === true) return true;
  const agents = obj(root.agents);
  if (obj(obj(obj(agents.defaults).tools).elevated).enabled === true) return true;
  return arr(agents.list).some((a) => obj(obj(obj(a).tools).elevated).enabled === true);
}

/** Channel access-policy checks (DMs, groups, mention gating, elevated reach). */
export const CHANNEL_CHECKS: Check[] = [
  {
    id: "channels.dm_open",
    severity: "critical",
    title: "Direct messages are open to anyone",
    why: "Any stranger who finds the bot reaches the model and its tools (prompt injection, cost, data).",
    fix: 'set dmPolicy "pairing" (the default) or "allowlist"',
    run: (ctx) =>
      channelScopes(cfg(ctx))
        .filter((c) => c.dmPolicy === "open")
        .map((c) => ({ found: `${c.path}.dmPolicy is "open"`, fix: `set ${c.path}.dmPolicy to "pairing"` })),
  },
  {
    id: "channels.allow_from_wildcard",
    severity: "warn",
    title: 'Allowlist contains "*"',
    why: 'A "*" entry admits every sender; the allowlist no longer restricts anything.',
    fix: 'replace "*" with the sender ids you trust',
    run: (ctx) => {
      const hits: Hit[] = [];
      for (const c of channelScopes(cfg(ctx))) {
        if (c.dmPolicy !== "open" && c.allowFrom.includes("*"))
          hits.push({ found: `${c.path}.allowFrom contains "*"` });
        if (c.groupAllowFrom.includes("*")) hits.push({ found: `${c.path}.groupAllowFrom contains "*"` });
      }
      return hits;
    },
  },
  {
    id: "channels.group_open",
    severity: "warn",
    title: "Groups are open",
    why: "The bot answers in any group it is added to; every member of every such group reaches the agent.",
    fix: 'set groupPolicy "allowlist" and list the groups under groups',
    autoFix: true,
    run: (ctx) =>
      channelScopes(cfg(ctx))
        .filter((c) => c.groupPolicy === "open" && str(c.node.groupPolicy) === "open")
        .map((c) => ({ found: `${c.path}.groupPolicy is "open"` })),
  },
  {
    id: "channels.group_no_mention",
    severity: "warn",
    title: "Groups answered without a mention",
    why: "Every message in the group reaches the model, including ones crafted to inject instructions.",
    fix: "set requireMention true for the group (the default)",
    run: (ctx) => {
      const hits: Hit[] = [];
      for (const c of channelScopes(cfg(ctx)))
        for (const [id, g] of Object.entries(c.groups))
          if (obj(g).requireMention === false && obj(g).enabled !== false)
            hits.push({
              found: `${c.path}.groups["${id}"].requireMention is false`,
              severity: c.groupPolicy === "open" || id === "*" ? "critical" : "warn",
            });
      return hits;
    },
  },
  {
    id: "channels.elevated_reachable_from_groups",
    severity: "critical",
    title: "Elevated tools are reachable from groups",
    why: "Host-level exec plus open or wildcard groups lets group members run commands on the host.",
    fix: "turn tools.elevated off, or set groupPolicy allowlist and drop wildcard senders",
    run: (ctx) => {
      const root = cfg(ctx);
      if (!elevatedEnabled(root)) return [];
      const allowFrom = obj(obj(root.tools).elevated).allowFrom;
      const wildcardElevated = JSON.stringify(allowFrom ?? []).includes('"*"');
      return channelScopes(root)
        .filter((c) => c.groupPolicy === "open" || c.groupAllowFrom.includes("*") || wildcardElevated)
        .filter((c) => c.groupPolicy !== "disabled")
        .map((c) => ({ found: `elevated exec is on and ${c.path} lets broad group traffic through` }));
    },
  },
  {
    id: "channels.token_file_perms",
    severity: "critical",
    title: "Channel token file is readable by others",
    why: "A bot token lets its holder read and send as the bot.",
    fix: "chmod 600 the tokenFile",
    autoFix: true,
    run: (ctx) => {
      const hits: Hit[] = [];
      for (const c of channelScopes(cfg(ctx))) {
        const file = str(c.node.tokenFile);
        if (!file || !existsSync(file)) continue;
        const st = ctx.stat(file);
        if (st && othersRead(st))
          hits.push({ found: `${c.path}.tokenFile ${file} is ${modeText(st)}`, fix: `chmod 600 ${file}` });
      }
      return hits;
    },
  },
];
