/**
 * Security operations: the `security audit` checks and fixes, live probes, SOUL.md integrity,
 * the gateway's security monitor (audit sink) and systemd unit generation. Other domains import
 * this folder only through this file.
 */

export { CHECK_IDS, CHECKS } from "./audit/checks.js";
export { configuredSecrets } from "./audit/checks-secrets.js";
export { type AuditContextOptions, buildAuditContext } from "./audit/context.js";
export { DEEP_CHECK_IDS, gatewayTarget, probeConnect, runDeepProbes } from "./audit/deep.js";
export { applySafeFixes, type FixResult } from "./audit/fix.js";
export { type AuditReport, formatReport, runAudit } from "./audit/run.js";
export type { AuditContext, Check, Finding, HostProbes, Severity } from "./audit/types.js";
export { type SecurityMonitor, type SecurityMonitorOptions, startSecurityMonitor } from "./monitor.js";
export {
  bwrapVersion,
  dockerAvailable,
  dockerGet,
  dockerImagePresent,
  dockerSocketPath,
  realProbes,
} from "./probes.js";
export {
  hashIdentityFiles,
  recordSoulBaseline,
  SOUL_BASELINE_KEY,
  type SoulEntry,
  type SoulMismatch,
  type SoulVerifyResult,
  type SoulWatch,
  verifySoul,
  watchSoul,
} from "./soul.js";
export { renderSystemdUnit, type SystemdUnitOptions } from "./systemd.js";
export { type AgentWorkspace, agentWorkspaces, IDENTITY_FILES } from "./workspaces.js";
