/**
 * Sessions: OpenClaw-compatible session keys (dmScope, groups, threads, identity links) and the
 * daily and idle reset rules. Storage lives in the store; the agent runtime uses both.
 */
export {
  canonicalSessionKey,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_AGENT_ID,
  DEFAULT_MAIN_KEY,
  type DmScope,
  encodeKeySegment,
  mainSessionKey,
  normalizeAgentId,
  type ParsedSessionKey,
  type PeerKind,
  parseSessionKey,
  type SessionKeyInput,
  sessionKeyFor,
} from "./keys.js";
export {
  isSessionExpired,
  lastDailyBoundary,
  type ResetConfig,
  type ResetRule,
  resetRuleFor,
  type SessionType,
  sessionTypeOf,
} from "./reset.js";
