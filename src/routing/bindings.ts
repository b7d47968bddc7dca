import type { PalisadeConfig } from "../config/index.js";
import { DEFAULT_ACCOUNT_ID } from "../sessions/index.js";

/** One validated `bindings[]` entry. */
export type BindingConfig = NonNullable<PalisadeConfig["bindings"]>[number];

/** A conversation as bindings see it (`peer.kind` `dm` is the same as `direct`). */
export interface RoutePeer {
  readonly kind: "direct" | "group" | "channel";
  readonly id: string;
}

/** Where a message came from, as far as bindings care. */
export interface RouteInput {
  readonly channel: string;
  readonly accountId: string;
  readonly peer?: RoutePeer | undefined;
  /** The conversation a thread or topic belongs to (thread inheritance). */
  readonly parentPeer?: RoutePeer | undefined;
  readonly guildId?: string | undefined;
  readonly teamId?: string | undefined;
  /** The sender's role ids in the guild (Discord). */
  readonly memberRoleIds?: readonly string[] | undefined;
}

/** Binding tiers, most specific first (OpenClaw's order). */
export const BINDING_TIERS = [
  "peer",
  "parentPeer",
  "guildRoles",
  "guild",
  "team",
  "account",
  "channel",
  "default",
] as const;

/** A binding tier. */
export type BindingTier = (typeof BINDING_TIERS)[number];

/** The agent a message goes to, and why. */
export interface BindingResolution {
  readonly agentId: string;
  readonly tier: BindingTier;
  /** Index of the winning binding in `bindings[]`; undefined for the default agent. */
  readonly index?: number | undefined;
}

type Match = BindingConfig["match"];

function kindOf(k: string): RoutePeer["kind"] {
  return k === "dm" ? "direct" : (k as RoutePeer["kind"]);
}

function peerEq(want: NonNullable<Match["peer"]>, have: RoutePeer | undefined): boolean {
  return have !== undefined && kindOf(want.kind) === have.kind && want.id === have.id;
}

function accountMatches(m: Match, accountId: string): boolean {
  if (m.accountId === "*") return true;
  return (m.accountId ?? DEFAULT_ACCOUNT_ID) === accountId;
}

/**
 * The tier at which a binding matches `input`, or undefined. Every field the binding sets must
 * match (AND): channel, account (omitted = the default account only, `*` = any), peer, guildId,
 * teamId and roles (any one of them). The tier is that of the binding's most specific field.
 */
export function bindingTier(b: BindingConfig, input: RouteInput): BindingTier | undefined {
  const m = b.match;
  if (m.channel.trim().toLowerCase() !== input.channel.toLowerCase()) return undefined;
  if (!accountMatches(m, input.accountId)) return undefined;
  if (m.guildId !== undefined && m.guildId !== input.guildId) return undefined;
  if (m.teamId !== undefined && m.teamId !== input.teamId) return undefined;
  const roles = m.roles ?? [];
  if (roles.length > 0 && !roles.some((r) => input.memberRoleIds?.includes(r))) return undefined;
  if (m.peer !== undefined) {
    if (peerEq(m.peer, input.peer)) return "peer";
    if (peerEq(m.peer, input.parentPeer)) return "parentPeer";
    return undefined;
  }
  if (roles.length > 0) return "guildRoles";
  if (m.guildId !== undefined) return "guild";
  if (m.teamId !== undefined) return "team";
  return m.accountId === "*" ? "channel" : "account";
}

/**
 * Picks the agent for a message: the most specific tier wins (peer > parentPeer > guildId+roles >
 * guildId > teamId > accountId > accountId "*" > default agent), and within a tier the first
 * binding in config order. Pure and deterministic.
 */
export function resolveBinding(
  bindings: readonly BindingConfig[] | undefined,
  input: RouteInput,
  defaultAgentId: string,
): BindingResolution {
  let best: { tier: number; index: number } | undefined;
  (bindings ?? []).forEach((b, index) => {
    const t = bindingTier(b, input);
    if (t === undefined) return;
    const tier = BINDING_TIERS.indexOf(t);
    if (best === undefined || tier < best.tier) best = { tier, index };
  });
  if (best === undefined) return { agentId: defaultAgentId, tier: "default" };
  const b = (bindings ?? [])[best.index] as BindingConfig;
  return {
    agentId: b.agentId.trim().toLowerCase(),
    tier: BINDING_TIERS[best.tier] as BindingTier,
    index: best.index,
  };
}
