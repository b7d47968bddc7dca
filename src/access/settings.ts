import type { PalisadeConfig } from "../config/index.js";
import type { PairingMode, SenderRole } from "../store/index.js";
import { type BucketSpec, DEFAULT_BUCKET, DEFAULT_LIMITED_BUCKET } from "./rate-limit.js";

/** The config sections access control reads. */
export type AccessConfigView = Pick<PalisadeConfig, "channels"> &
  Partial<Pick<PalisadeConfig, "access" | "agents" | "bindings">>;

/** One group's settings, as configured. */
export interface GroupSettings {
  readonly enabled?: boolean | undefined;
  readonly requireMention?: boolean | undefined;
  readonly allowFrom?: readonly (string | number)[] | undefined;
}

/** A channel account's effective access settings (account keys over channel keys over defaults). */
export interface ChannelAccess {
  /** Default `pairing`. */
  readonly dmPolicy: "pairing" | "allowlist" | "open" | "disabled";
  readonly allowFrom: readonly (string | number)[] | undefined;
  /** Default `allowlist` (only configured groups). */
  readonly groupPolicy: "open" | "allowlist" | "disabled";
  readonly groupAllowFrom: readonly (string | number)[] | undefined;
  readonly groups: Readonly<Record<string, GroupSettings>> | undefined;
}

type AccessKeys = {
  dmPolicy?: ChannelAccess["dmPolicy"] | undefined;
  allowFrom?: readonly (string | number)[] | undefined;
  groupPolicy?: ChannelAccess["groupPolicy"] | undefined;
  groupAllowFrom?: readonly (string | number)[] | undefined;
  groups?: Record<string, GroupSettings> | undefined;
  accounts?: Record<string, AccessKeys> | undefined;
};

/**
 * The effective access settings of a channel account. An unknown channel (or one missing from
 * the config) gets the secure defaults: DM pairing, groups only when configured.
 */
export function channelAccess(config: AccessConfigView, channel: string, accountId: string): ChannelAccess {
  const channels = (config.channels ?? {}) as Record<string, unknown>;
  const ch = (channel === "defaults" ? undefined : channels[channel]) as AccessKeys | undefined;
  const acc = ch?.accounts?.[accountId];
  const defaults = config.channels?.defaults;
  return {
    dmPolicy: acc?.dmPolicy ?? ch?.dmPolicy ?? defaults?.dmPolicy ?? "pairing",
    allowFrom: acc?.allowFrom ?? ch?.allowFrom,
    groupPolicy: acc?.groupPolicy ?? ch?.groupPolicy ?? defaults?.groupPolicy ?? "allowlist",
    groupAllowFrom: acc?.groupAllowFrom ?? ch?.groupAllowFrom,
    groups: acc?.groups ?? ch?.groups,
  };
}

/** Pairing settings with their defaults. */
export interface PairingSettings {
  /** Default `code`. */
  readonly mode: PairingMode;
  /** Wrong challenge answers before the sender is blocked; default 3. */
  readonly maxAttempts: number;
  /** Open requests per channel; default 3. */
  readonly maxPending: number;
  /** Code lifetime, ms; default one hour. */
  readonly ttlMs: number;
}

/** `access.pairing` with defaults applied. */
export function pairingSettings(config: AccessConfigView): PairingSettings {
  const p = config.access?.pairing;
  return {
    mode: p?.mode ?? "code",
    maxAttempts: p?.maxAttempts ?? 3,
    maxPending: p?.maxPending ?? 3,
    ttlMs: (p?.codeTtlMinutes ?? 60) * 60_000,
  };
}

/** Rate limits with defaults applied; undefined when turned off. */
export function rateLimits(
  config: AccessConfigView,
): { readonly normal: BucketSpec; readonly limited: BucketSpec } | undefined {
  const r = config.access?.rateLimit;
  if (r?.enabled === false) return undefined;
  return {
    normal: { perMinute: r?.perMinute ?? DEFAULT_BUCKET.perMinute, burst: r?.burst ?? DEFAULT_BUCKET.burst },
    limited: {
      perMinute: r?.limited?.perMinute ?? DEFAULT_LIMITED_BUCKET.perMinute,
      burst: r?.limited?.burst ?? DEFAULT_LIMITED_BUCKET.burst,
    },
  };
}

/** A role declared in `access.roles` for a sender, if any. */
export function configRole(
  config: AccessConfigView,
  channel: string,
  senderId: string,
): SenderRole | undefined {
  return config.access?.roles?.[`${channel}:${senderId}`];
}

/** `access.ownerNotice`, normalized; undefined when not configured. */
export function ownerNoticeTarget(
  config: AccessConfigView,
): { readonly channel: string; readonly accountId: string; readonly chatId: string } | undefined {
  const n = config.access?.ownerNotice;
  if (n === undefined) return undefined;
  return { channel: n.channel, accountId: n.accountId ?? "default", chatId: String(n.to) };
}

/** The mention patterns of an agent (its own, else `agents.defaults`). */
export function mentionPatternsOf(config: AccessConfigView, agentId: string): readonly string[] {
  const own = config.agents?.list?.find((a) => a.id === agentId)?.groupChat?.mentionPatterns;
  return own ?? config.agents?.defaults?.groupChat?.mentionPatterns ?? [];
}
