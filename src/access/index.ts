/**
 * Access control, before anything reaches a model: DM policy and pairing codes, the store
 * allowlist, group gating with mentions, sender roles and per-sender rate limits. The channel
 * manager calls {@link AccessGate}'s hook for every persisted message.
 */
export {
  generatePairingCode,
  normalizePairingCode,
  PAIRING_CODE_ALPHABET,
  PAIRING_CODE_LENGTH,
  pairingCodesEqual,
  type RandomSource,
} from "./codes.js";
export { AccessGate, type AccessGateOptions, type NoticeTarget } from "./gate.js";
export { hasWildcard, listMatches, normalizeAllowEntry } from "./ids.js";
export { compileMentionPatterns, isMentioned, MENTION_SCAN_CHARS, mentionText } from "./mention.js";
export * as accessText from "./messages.js";
export { OWNER_PAIRING_HELP, ownerCommand } from "./owner-commands.js";
export {
  MAX_PAIRING_REPLIES,
  PAIRING_REMINDER_MS,
  type PairingDecision,
  type PairingOutcome,
  type PairingRequestView,
  PairingService,
  type PairingServiceOptions,
} from "./pairing.js";
export {
  type BucketSpec,
  DEFAULT_BUCKET,
  DEFAULT_LIMITED_BUCKET,
  MAX_TRACKED_SENDERS,
  type RateDecision,
  RateLimiter,
} from "./rate-limit.js";
export { AccessRoles, type RoleView } from "./roles.js";
export {
  type AccessConfigView,
  type ChannelAccess,
  channelAccess,
  type GroupSettings,
  mentionPatternsOf,
  ownerNoticeTarget,
  type PairingSettings,
  pairingSettings,
  rateLimits,
} from "./settings.js";
