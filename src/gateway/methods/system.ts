/**
 * `health`, `status` and `system-presence`, answered in OpenClaw's response shapes (HealthSummary,
 * StatusSummary, PresenceEntry[]). Palisade has no channels, agents or tasks yet, so those parts
 * are present and empty; clients written for OpenClaw read them without special cases.
 */
import { z } from "zod";
import { PROTOCOL_VERSION, VERSION } from "../../core/version.js";
import type { ConnectionHub } from "../hub.js";
import type { MethodRegistry } from "../method-registry.js";

/** What the system methods read. */
export interface SystemDeps {
  readonly hub: ConnectionHub;
  readonly now: () => number;
  /** Readiness stages and whether each is ready. */
  readonly readiness: () => ReadonlyMap<string, boolean>;
  /** Extra fields merged into `status.gateway` (reload mode, pending restart paths, ...). */
  readonly extraStatus?: () => Record<string, unknown>;
}

const DEFAULT_AGENT_ID = "main";
const TASK_STATUSES = ["queued", "running", "succeeded", "failed", "timed_out", "cancelled", "lost"] as const;
const TASK_RUNTIMES = ["subagent", "acp", "cli", "cron"] as const;
const TASK_AUDIT_CODES = [
  "stale_queued",
  "stale_running",
  "lost",
  "delivery_failed",
  "missing_cleanup",
  "inconsistent_timestamps",
] as const;

const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0]));

/** Health in OpenClaw's HealthSummary shape, plus legacy readiness conditions. */
export function healthSummary(deps: SystemDeps): Record<string, unknown> {
  const started = deps.now();
  const stages = [...deps.readiness()];
  const failures = stages.filter(([, ready]) => !ready).map(([name]) => name);
  return {
    ok: true,
    ts: started,
    durationMs: Math.max(0, deps.now() - started),
    readiness: {
      ready: failures.length === 0,
      conditions: stages.map(([name, ready]) => ({
        type: "Ready",
        subjectRef: name,
        status: ready ? "True" : "False",
        requirement: "required",
        reason: ready ? "Ready" : "NotReady",
        message: ready ? `${name} is ready` : `${name} is not ready`,
      })),
      failures,
      advisories: [],
    },
    channels: {},
    channelOrder: [],
    channelLabels: {},
    heartbeatSeconds: 0,
    defaultAgentId: DEFAULT_AGENT_ID,
    agents: [],
    sessions: { path: "", count: 0, recent: [] },
  };
}

/** Status in OpenClaw's StatusSummary shape, plus a `gateway` block. */
export function statusSummary(deps: SystemDeps): Record<string, unknown> {
  return {
    runtimeVersion: VERSION,
    heartbeat: { defaultAgentId: DEFAULT_AGENT_ID, agents: [] },
    channelSummary: [],
    queuedSystemEvents: [],
    tasks: {
      total: 0,
      active: 0,
      terminal: 0,
      failures: 0,
      byStatus: zeros(TASK_STATUSES),
      byRuntime: zeros(TASK_RUNTIMES),
    },
    taskAudit: { total: 0, warnings: 0, errors: 0, byCode: zeros(TASK_AUDIT_CODES) },
    sessions: {
      paths: [],
      count: 0,
      defaults: { model: null, contextTokens: null },
      recent: [],
      byAgent: [],
    },
    gateway: {
      version: VERSION,
      protocol: PROTOCOL_VERSION,
      uptimeMs: deps.hub.uptimeMs(),
      connections: deps.hub.size,
      ...(deps.extraStatus?.() ?? {}),
    },
  };
}

/** Registers `health`, `status` and `system-presence` (all `operator.read`). */
export function registerSystemMethods(methods: MethodRegistry, deps: SystemDeps): void {
  methods.register({
    name: "health",
    scope: "operator.read",
    params: z.object({ probe: z.boolean().optional() }).optional(),
    handler: () => healthSummary(deps),
  });
  methods.register({
    name: "status",
    scope: "operator.read",
    params: z.object({}).optional(),
    handler: () => statusSummary(deps),
  });
  methods.register({
    name: "system-presence",
    scope: "operator.read",
    params: z.object({}).optional(),
    handler: () => deps.hub.presence(),
  });
}
