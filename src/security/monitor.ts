import type { Logger } from "pino";
import type { GatewaySecurityEvent } from "../gateway/index.js";
import type { Redactor } from "../logging/index.js";
import { type AuditSeverity, appendAudit, type Store } from "../store/index.js";
import { obj, str } from "./audit/helpers.js";
import { type SoulWatch, watchSoul } from "./soul.js";

/** Options of {@link startSecurityMonitor}. */
export interface SecurityMonitorOptions {
  readonly store: Store;
  /** The validated config (reads `security.soul`). */
  readonly config: unknown;
  readonly stateDir: string;
  readonly logger: Logger;
  /** Redactor with the configured secrets, applied to audit detail. */
  readonly redactor?: Redactor;
  /** Records per (event type, client address) per window before the rest are counted, not stored; default 20. */
  readonly maxPerWindow?: number;
  /** Window of that bound; default 60,000 ms. */
  readonly windowMs?: number;
  readonly now?: () => number;
}

/** The gateway's security monitor: audit sink for refusals and the SOUL.md integrity watch. */
export interface SecurityMonitor {
  /** Pass as `startGateway({ onSecurityEvent })`. */
  readonly onSecurityEvent: (e: GatewaySecurityEvent) => void;
  /** Identity-file integrity. */
  readonly soul: SoulWatch;
  /**
   * False when `security.soul.onMismatch` is "refuse" and `agentId`'s identity files differ from
   * the baseline: the agent runtime must then refuse to run that agent.
   */
  agentAllowed(agentId: string): boolean;
  close(): void;
}

const SEVERITY: Record<GatewaySecurityEvent["type"], AuditSeverity> = {
  "auth.failed": "warn",
  "auth.rate_limited": "warn",
  "auth.secret_in_url": "warn",
  "auth.not_paired": "info",
  "auth.device_invalid": "warn",
  "origin.forbidden": "warn",
  "host.forbidden": "warn",
};

/**
 * Starts the monitor: gateway refusals become audit records (bounded per address so a flood
 * cannot fill the disk; the suppressed count rides on the next record), and the identity files
 * are checked now and on every change, raising a critical `soul.mismatch` audit event and an
 * error log line when they differ from the baseline.
 */
export function startSecurityMonitor(opts: SecurityMonitorOptions): SecurityMonitor {
  const now = opts.now ?? Date.now;
  const max = opts.maxPerWindow ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const log = opts.logger.child({ module: "security" });
  const buckets = new Map<string, { start: number; count: number; suppressed: number }>();
  const soulCfg = obj(obj(obj(opts.config).security).soul);
  const refuse = str(soulCfg.onMismatch) === "refuse";
  const append = { ...(opts.redactor ? { redactor: opts.redactor } : {}), now };

  const onSecurityEvent = (e: GatewaySecurityEvent) => {
    const key = `${e.type}|${e.clientAddress}`;
    const t = now();
    let b = buckets.get(key);
    if (!b || t - b.start >= windowMs) {
      if (buckets.size >= 10_000) buckets.clear();
      b = { start: t, count: 0, suppressed: b?.suppressed ?? 0 };
      buckets.set(key, b);
    }
    if (++b.count > max) {
      b.suppressed++;
      return;
    }
    const suppressed = b.suppressed;
    b.suppressed = 0;
    try {
      appendAudit(
        opts.store,
        {
          type: e.type,
          actor: `ip:${e.clientAddress}`,
          severity: SEVERITY[e.type],
          detail: {
            code: e.code,
            transport: e.transport,
            ...(suppressed > 0 ? { suppressedBefore: suppressed } : {}),
          },
        },
        append,
      );
    } catch (err) {
      log.warn({ err: (err as Error).message }, "could not write the audit record");
    }
  };

  const soul = watchSoul({
    store: opts.store,
    config: opts.config,
    stateDir: opts.stateDir,
    watch: soulCfg.watch !== false,
    onMismatch: (r) =>
      log.error(
        { files: r.mismatches.map((m) => `${m.path} (${m.kind})`), refuseAgents: refuse },
        "agent identity files differ from the baseline; review them, then run `palisade soul baseline`",
      ),
    onRestored: () => log.info("agent identity files match the baseline again"),
  });
  const base = soul.current();
  if (!base.baseline) log.info("no SOUL.md baseline recorded; run `palisade soul baseline` to track changes");

  return {
    onSecurityEvent,
    soul,
    agentAllowed: (agentId) => !refuse || soul.agentIntact(agentId),
    close: () => soul.close(),
  };
}
