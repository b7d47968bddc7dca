import type { Stats } from "node:fs";
import type { AuditContext } from "./types.js";

/** A loosely typed config object: checks read defensively so they also work on an invalid config. */
export type Obj = Record<string, unknown>;

/** The value if it is a plain object, else an empty one. */
export const obj = (v: unknown): Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {};
/** The value if it is an array, else an empty one. */
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The value if it is a string. */
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The config to check: the validated one, else the raw tree (so an invalid config is still audited). */
export function cfg(ctx: AuditContext): Obj {
  return obj(ctx.config ?? ctx.raw);
}

/** Octal mode text, e.g. "0644". */
export const modeText = (st: Stats): string => `0${(st.mode & 0o777).toString(8).padStart(3, "0")}`;
/** Group or world can read. */
export const othersRead = (st: Stats): boolean => (st.mode & 0o044) !== 0;
/** Group or world can write. */
export const othersWrite = (st: Stats): boolean => (st.mode & 0o022) !== 0;

/** One channel or channel account with its effective access policy (defaults applied). */
export interface ChannelScope {
  /** `channels.telegram` or `channels.telegram.accounts.work`. */
  readonly path: string;
  /** The same path as config segments, for edits. */
  readonly segments: readonly string[];
  readonly channel: string;
  readonly node: Obj;
  readonly dmPolicy: string;
  readonly groupPolicy: string;
  readonly allowFrom: unknown[];
  readonly groupAllowFrom: unknown[];
  readonly groups: Obj;
}

const CHANNELS = ["telegram", "whatsapp", "discord", "slack", "signal", "webchat"];

/** Every configured channel and account with OpenClaw's documented defaults filled in. */
export function channelScopes(root: Obj): ChannelScope[] {
  const channels = obj(root.channels);
  const defaults = obj(channels.defaults);
  const out: ChannelScope[] = [];
  for (const name of CHANNELS) {
    const ch = channels[name];
    if (ch === undefined) continue;
    const c = obj(ch);
    const make = (node: Obj, path: string, parent: Obj): ChannelScope => ({
      path,
      segments: path.split("."),
      channel: name,
      node,
      dmPolicy: str(node.dmPolicy) ?? str(parent.dmPolicy) ?? str(defaults.dmPolicy) ?? "pairing",
      groupPolicy:
        str(node.groupPolicy) ?? str(parent.groupPolicy) ?? str(defaults.groupPolicy) ?? "allowlist",
      allowFrom: arr(node.allowFrom ?? parent.allowFrom),
      groupAllowFrom: arr(node.groupAllowFrom ?? parent.groupAllowFrom),
      groups: { ...obj(parent.groups), ...obj(node.groups) },
    });
    if (c.enabled !== false) out.push(make(c, `channels.${name}`, {}));
    for (const [id, acc] of Object.entries(obj(c.accounts))) {
      const a = obj(acc);
      if (a.enabled !== false && c.enabled !== false) out.push(make(a, `channels.${name}.accounts.${id}`, c));
    }
  }
  return out;
}

/** Sandbox settings of the defaults and of every agent, with the key path of each. */
export function sandboxScopes(root: Obj): Array<{ path: string; sandbox: Obj; agentTools: Obj }> {
  const agents = obj(root.agents);
  const defaults = obj(agents.defaults);
  const base = obj(defaults.sandbox);
  const out = [{ path: "agents.defaults.sandbox", sandbox: base, agentTools: obj(defaults.tools) }];
  arr(agents.list).forEach((a, i) => {
    const agent = obj(a);
    if (agent.sandbox === undefined && agent.tools === undefined) return;
    const own = obj(agent.sandbox);
    out.push({
      path: `agents.list[${i}].sandbox`,
      sandbox: { ...base, ...own, docker: { ...obj(base.docker), ...obj(own.docker) } },
      agentTools: obj(agent.tools),
    });
  });
  return out;
}

/** True when a value was written as a `${VAR}` reference (or only references). */
export function isEnvRef(v: unknown): boolean {
  return typeof v === "string" && /^\s*(\$\{[A-Z_][A-Z0-9_]*\}\s*)+$/.test(v);
}

/** Rough bits of entropy of a secret: length times log2 of the alphabet it draws from. */
export function entropyBits(s: string): number {
  let alphabet = 0;
  if (/[a-z]/.test(s)) alphabet += 26;
  if (/[A-Z]/.test(s)) alphabet += 26;
  if (/[0-9]/.test(s)) alphabet += 10;
  if (/[^a-zA-Z0-9]/.test(s)) alphabet += 32;
  const distinct = new Set(s).size;
  return s.length * Math.log2(Math.max(2, Math.min(alphabet, distinct * 2)));
}
