import { chainLegacyConfigAudit } from "./audit-migrate.js";
import type { Migration } from "./migration.js";

/**
 * Every schema step of the state store, oldest first. Append only: later issues add their
 * aggregates (inbox, sessions, pairing, devices, audit, ...) as new entries at the end.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "kv",
    up(db) {
      // Small settings and markers that do not deserve a table of their own. Values are JSON.
      db.exec(`
        CREATE TABLE kv (
          key TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 512),
          value TEXT NOT NULL CHECK (json_valid(value)),
          updated_at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID
      `);
    },
  },
  {
    version: 2,
    name: "devices",
    up(db) {
      // Paired devices, their per-role tokens (sha256 of the token, never the token) and pending
      // pairing requests. Scopes and roles are JSON arrays of strings.
      db.exec(`
        CREATE TABLE devices (
          device_id TEXT PRIMARY KEY NOT NULL CHECK (length(device_id) BETWEEN 1 AND 256),
          public_key TEXT NOT NULL,
          display_name TEXT,
          platform TEXT,
          device_family TEXT,
          client_id TEXT,
          client_mode TEXT,
          roles TEXT NOT NULL CHECK (json_valid(roles)),
          scopes TEXT NOT NULL CHECK (json_valid(scopes)),
          remote_ip TEXT,
          created_at INTEGER NOT NULL,
          approved_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE device_tokens (
          device_id TEXT NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
          role TEXT NOT NULL,
          token_hash TEXT,
          scopes TEXT NOT NULL CHECK (json_valid(scopes)),
          created_at INTEGER NOT NULL,
          rotated_at INTEGER,
          revoked_at INTEGER,
          last_used_at INTEGER,
          PRIMARY KEY (device_id, role)
        ) STRICT;
        CREATE TABLE device_pair_requests (
          request_id TEXT PRIMARY KEY NOT NULL,
          device_id TEXT NOT NULL,
          public_key TEXT NOT NULL,
          display_name TEXT,
          platform TEXT,
          device_family TEXT,
          client_id TEXT,
          client_mode TEXT,
          role TEXT NOT NULL,
          scopes TEXT NOT NULL CHECK (json_valid(scopes)),
          remote_ip TEXT,
          is_repair INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX device_pair_requests_device ON device_pair_requests (device_id);
      `);
    },
  },
  {
    version: 3,
    name: "config_audit",
    up(db) {
      // Who changed the config, when, and which paths. The security-ops work replaces this with a
      // hash-chained audit log; rows here are kept so nothing is lost when it does.
      db.exec(`
        CREATE TABLE config_audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          ts INTEGER NOT NULL,
          method TEXT NOT NULL,
          actor TEXT NOT NULL CHECK (json_valid(actor)),
          base_hash TEXT NOT NULL,
          new_hash TEXT NOT NULL,
          paths TEXT NOT NULL CHECK (json_valid(paths)),
          note TEXT
        ) STRICT;
      `);
    },
  },
  {
    version: 4,
    name: "sessions_transcripts_usage",
    up(db) {
      // Agent sessions (one row per session key; session_id changes on every reset), their
      // append-only transcripts (one row per model message; compaction summaries are kind
      // 'summary', with covers_to = the last entry id they replace) and token usage per run.
      // Transcript rows are never updated: a trigger refuses it.
      db.exec(`
        CREATE TABLE sessions (
          key TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 512),
          agent_id TEXT NOT NULL,
          session_id TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          reset_at INTEGER,
          model TEXT,
          label TEXT,
          runs INTEGER NOT NULL DEFAULT 0,
          input_tokens INTEGER NOT NULL DEFAULT 0,
          output_tokens INTEGER NOT NULL DEFAULT 0,
          total_tokens INTEGER NOT NULL DEFAULT 0,
          cost_usd REAL
        ) STRICT;
        CREATE INDEX sessions_updated ON sessions (updated_at);
        CREATE TABLE transcript_entries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          session_key TEXT NOT NULL,
          session_id TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('message', 'summary')),
          role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
          content TEXT NOT NULL CHECK (json_valid(content)),
          run_id TEXT,
          covers_to INTEGER,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX transcript_entries_session ON transcript_entries (session_id, id);
        CREATE INDEX transcript_entries_summary ON transcript_entries (session_id, id) WHERE kind = 'summary';
        CREATE TRIGGER transcript_entries_append_only BEFORE UPDATE ON transcript_entries
        BEGIN SELECT RAISE(ABORT, 'transcript entries are append-only'); END;
        CREATE TABLE usage_runs (
          run_id TEXT PRIMARY KEY NOT NULL,
          session_key TEXT NOT NULL,
          session_id TEXT NOT NULL,
          agent_id TEXT NOT NULL,
          model TEXT,
          status TEXT NOT NULL,
          input_tokens INTEGER NOT NULL,
          output_tokens INTEGER NOT NULL,
          total_tokens INTEGER NOT NULL,
          cost_usd REAL,
          started_at INTEGER NOT NULL,
          ended_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX usage_runs_ended ON usage_runs (ended_at);
      `);
    },
  },
  {
    version: 5,
    name: "audit_log",
    up(db) {
      // Security audit log: a hash chain (see audit.ts). audit_head anchors the newest record so
      // deleting records at the end is detected; the triggers make the table append-only.
      db.exec(`
        CREATE TABLE audit_log (
          seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
          ts INTEGER NOT NULL,
          type TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 128),
          actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 256),
          subject TEXT CHECK (subject IS NULL OR length(subject) <= 512),
          severity TEXT NOT NULL CHECK (severity IN ('info', 'warn', 'critical')),
          detail TEXT NOT NULL CHECK (json_valid(detail)),
          prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
          hash TEXT NOT NULL CHECK (length(hash) = 64)
        ) STRICT;
        CREATE INDEX audit_log_type_ts ON audit_log (type, ts);
        CREATE TABLE audit_head (
          id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
          seq INTEGER NOT NULL,
          hash TEXT NOT NULL
        ) STRICT;
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      `);
      chainLegacyConfigAudit(db);
    },
  },
  {
    version: 6,
    name: "channel_inbox",
    up(db) {
      // Durable channel ingress (see inbox.ts, outbox.ts). A message is inserted before the
      // platform is acknowledged; (channel, account_id, message_id) dedupes redeliveries. The
      // outbox records each reply chunk: once a chunk is marked sent it is never sent again.
      db.exec(`
        CREATE TABLE channel_inbox (
          id INTEGER PRIMARY KEY NOT NULL,
          channel TEXT NOT NULL CHECK (length(channel) BETWEEN 1 AND 64),
          account_id TEXT NOT NULL CHECK (length(account_id) BETWEEN 1 AND 128),
          message_id TEXT NOT NULL CHECK (length(message_id) BETWEEN 1 AND 256),
          sender_id TEXT NOT NULL CHECK (length(sender_id) BETWEEN 1 AND 256),
          chat_id TEXT NOT NULL CHECK (length(chat_id) BETWEEN 1 AND 256),
          payload TEXT NOT NULL CHECK (json_valid(payload)),
          status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'dead', 'dropped')),
          attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT CHECK (last_error IS NULL OR length(last_error) <= 1000),
          received_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          UNIQUE (channel, account_id, message_id)
        ) STRICT;
        CREATE INDEX channel_inbox_open ON channel_inbox (status, id) WHERE status IN ('pending', 'processing');
        CREATE INDEX channel_inbox_dead ON channel_inbox (channel, id) WHERE status = 'dead';
        CREATE TABLE channel_outbox (
          inbox_id INTEGER NOT NULL REFERENCES channel_inbox (id) ON DELETE CASCADE,
          seq INTEGER NOT NULL CHECK (seq >= 0),
          text TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'sent')),
          platform_message_id TEXT,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (inbox_id, seq)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 7,
    name: "exec_approvals",
    up(db) {
      // Exec approvals (see approvals.ts): a pending request binds one exact command (argv, cwd,
      // env, host, script hashes) by hash; an allow-always row is a standing approval of it.
      db.exec(`
        CREATE TABLE exec_approvals (
          id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 64),
          agent_id TEXT NOT NULL CHECK (length(agent_id) BETWEEN 1 AND 64),
          session_key TEXT NOT NULL CHECK (length(session_key) <= 512),
          binding_hash TEXT NOT NULL CHECK (length(binding_hash) = 64),
          request TEXT NOT NULL CHECK (json_valid(request)),
          status TEXT NOT NULL CHECK (status IN ('pending', 'allow-once', 'allow-always', 'deny', 'expired')),
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          resolved_at INTEGER,
          resolved_by TEXT CHECK (resolved_by IS NULL OR length(resolved_by) <= 256)
        ) STRICT;
        CREATE INDEX exec_approvals_pending ON exec_approvals (status, expires_at) WHERE status = 'pending';
        CREATE INDEX exec_approvals_standing ON exec_approvals (agent_id, binding_hash) WHERE status = 'allow-always';
      `);
    },
  },
  {
    version: 8,
    name: "access",
    up(db) {
      // Channel access control (see pairing.ts, allowlists.ts, roles.ts): DM pairing requests
      // (one per channel, account and sender), the approved-sender allowlist per channel account
      // (merged with config allowFrom), and per-sender roles (owner/trusted/limited/blocked).
      db.exec(`
        CREATE TABLE pairing_requests (
          channel TEXT NOT NULL CHECK (length(channel) BETWEEN 1 AND 64),
          account_id TEXT NOT NULL CHECK (length(account_id) BETWEEN 1 AND 128),
          sender_id TEXT NOT NULL CHECK (length(sender_id) BETWEEN 1 AND 256),
          chat_id TEXT NOT NULL CHECK (length(chat_id) BETWEEN 1 AND 256),
          code TEXT NOT NULL CHECK (length(code) = 8),
          mode TEXT NOT NULL CHECK (mode IN ('code', 'challenge')),
          attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
          replies INTEGER NOT NULL DEFAULT 0 CHECK (replies >= 0),
          created_at INTEGER NOT NULL,
          last_seen_at INTEGER NOT NULL,
          last_reply_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (channel, account_id, sender_id)
        ) STRICT;
        CREATE UNIQUE INDEX pairing_requests_code ON pairing_requests (channel, code);
        CREATE TABLE channel_allowlist (
          channel TEXT NOT NULL CHECK (length(channel) BETWEEN 1 AND 64),
          account_id TEXT NOT NULL CHECK (length(account_id) BETWEEN 1 AND 128),
          sender_id TEXT NOT NULL CHECK (length(sender_id) BETWEEN 1 AND 256),
          source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 64),
          added_by TEXT NOT NULL CHECK (length(added_by) BETWEEN 1 AND 256),
          added_at INTEGER NOT NULL,
          PRIMARY KEY (channel, account_id, sender_id)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE sender_roles (
          channel TEXT NOT NULL CHECK (length(channel) BETWEEN 1 AND 64),
          sender_id TEXT NOT NULL CHECK (length(sender_id) BETWEEN 1 AND 256),
          role TEXT NOT NULL CHECK (role IN ('owner', 'trusted', 'limited', 'blocked')),
          reason TEXT CHECK (reason IS NULL OR length(reason) <= 500),
          updated_by TEXT NOT NULL CHECK (length(updated_by) BETWEEN 1 AND 256),
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (channel, sender_id)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 9,
    name: "channel_outbox_sending",
    up(db) {
      // When a send of an outbox chunk started, and how many sends of it started (see
      // outbox.ts): a chunk with a started send but no platform id after a restart was in flight
      // at the crash, so the platform may or may not have accepted it. It is the only window in
      // which a reply can be duplicated; send_attempts - 1 bounds the copies a chunk can have.
      db.exec(`
        ALTER TABLE channel_outbox ADD COLUMN send_started_at INTEGER;
        ALTER TABLE channel_outbox ADD COLUMN send_attempts INTEGER NOT NULL DEFAULT 0 CHECK (send_attempts >= 0);
      `);
    },
  },
];
