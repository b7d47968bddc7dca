/**
 * The state store: one SQLite file (`node:sqlite`, WAL) with forward-only migrations and one
 * module per aggregate. Other folders import the store only through this file.
 */

export type { AllowlistEntry, AllowlistStore } from "./allowlists.js";
export { createAllowlistStore } from "./allowlists.js";
export type { ApprovalRow, ApprovalStatus, ApprovalStore } from "./approvals.js";
export { createApprovalStore } from "./approvals.js";
export type {
  AppendAuditOptions,
  AuditInput,
  AuditRecord,
  AuditSeverity,
  AuditVerifyResult,
} from "./audit.js";
export {
  AUDIT_GENESIS_HASH,
  AUDIT_LIST_LIMIT,
  AUDIT_MAX_DETAIL_BYTES,
  appendAudit,
  auditHash,
  auditHashInput,
  canonicalJson,
  iterateAudit,
  listAudit,
  verifyAudit,
} from "./audit.js";
export type { ConfigActor, ConfigAudit, ConfigAuditRecord } from "./config-audit.js";
export { createConfigAudit } from "./config-audit.js";
export type {
  DeviceMeta,
  DeviceStore,
  DeviceStoreOptions,
  DeviceTokenSummary,
  NewPairRequest,
  PairedDevice,
  PairRequest,
  RotateResult,
  TokenState,
} from "./devices.js";
export {
  createDeviceStore,
  hashDeviceToken,
  MAX_PENDING_REQUESTS,
  PAIR_REQUEST_TTL_MS,
} from "./devices.js";
export type { InboxCounts, InboxInput, InboxRow, InboxStatus, InboxStore } from "./inbox.js";
export { createInboxStore, INBOX_LIST_LIMIT, INBOX_MAX_ERROR_CHARS } from "./inbox.js";
export type { KvEntry, KvOptions, KvStore } from "./kv.js";
export { createKv, KV_LIST_LIMIT, KV_MAX_KEY_LENGTH, KV_MAX_VALUE_BYTES } from "./kv.js";
export type { Migration } from "./migration.js";
export { assertMigrationList, latestVersion } from "./migration.js";
export { MIGRATIONS } from "./migrations.js";
export type { OutboxChunk, OutboxStatus, OutboxStore } from "./outbox.js";
export { createOutboxStore, sendUncertain } from "./outbox.js";
export type { PairingMode, PairingRequestRow, PairingStore } from "./pairing.js";
export { createPairingStore } from "./pairing.js";
export type { RoleStore, SenderRole, SenderRoleRow } from "./roles.js";
export { createRoleStore, SENDER_ROLES } from "./roles.js";
export type {
  SessionListOptions,
  SessionRow,
  SessionStore,
  SessionUsageDelta,
} from "./sessions.js";
export { createSessionStore, SESSION_LIST_LIMIT } from "./sessions.js";
export type { Store, StoreOptions } from "./store.js";
export { openStore } from "./store.js";
export type {
  TranscriptAppend,
  TranscriptEntry,
  TranscriptKind,
  TranscriptRole,
  TranscriptStore,
} from "./transcripts.js";
export { createTranscriptStore, TRANSCRIPT_LIMITS } from "./transcripts.js";
export type { UsageRunRecord, UsageStore, UsageTotals } from "./usage.js";
export { createUsageStore } from "./usage.js";
