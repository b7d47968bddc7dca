/**
 * `sessions.list`, `sessions.preview`, `sessions.reset`, `sessions.delete` and
 * `sessions.compact` in OpenClaw's shapes. Reads need operator.read; reset, delete and compact
 * need operator.admin, as in OpenClaw.
 */
import { z } from "zod";
import { type AgentService, messageText } from "../../agent/index.js";
import { fail } from "../../core/errors.js";
import { sessionTypeOf } from "../../sessions/index.js";
import type { SessionRow } from "../../store/index.js";
import type { MethodRegistry } from "../method-registry.js";

const key = z.string().min(1).max(512);

/** `sessions.list` params. */
export const sessionsListParams = z
  .object({
    limit: z.int().min(1).max(5000).optional(),
    activeMinutes: z.int().min(1).optional(),
    agentId: z.string().min(1).max(64).optional(),
    search: z.string().max(200).optional(),
    includeLastMessage: z.boolean().optional(),
  })
  .optional();

/** `sessions.preview` params. */
export const sessionsPreviewParams = z.object({
  keys: z.array(key).min(1).max(100),
  limit: z.int().min(1).max(50).optional(),
  maxChars: z.int().min(20).max(10_000).optional(),
});

/** `sessions.reset` params. */
export const sessionsResetParams = z.object({ key, reason: z.enum(["new", "reset"]).optional() });
/** `sessions.delete` params. */
export const sessionsDeleteParams = z.object({ key, deleteTranscript: z.boolean().optional() });
/** `sessions.compact` params. */
export const sessionsCompactParams = z.object({ key, maxLines: z.int().min(1).optional() });

/** One session in OpenClaw's list-entry shape. */
export function sessionEntry(row: SessionRow): Record<string, unknown> {
  const slash = row.model?.indexOf("/") ?? -1;
  return {
    key: row.key,
    kind: sessionTypeOf(row.key) === "direct" ? "direct" : "group",
    agentId: row.agentId,
    sessionId: row.sessionId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.resetAt === null ? {} : { resetAt: row.resetAt }),
    ...(row.label === null ? {} : { label: row.label }),
    ...(row.model === null || slash < 0
      ? {}
      : { modelProvider: row.model.slice(0, slash), model: row.model.slice(slash + 1) }),
    runs: row.runs,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    totalTokens: row.totalTokens,
    ...(row.costUsd === null ? {} : { costUsd: row.costUsd }),
  };
}

function preview(service: AgentService, k: string, limit: number, maxChars: number) {
  const canonical = service.keyOf(k);
  const row = service.deps.sessions.get(canonical);
  if (row === undefined) return { key: k, status: "missing", items: [] };
  const items = service.deps.transcripts
    .recent(row.sessionId, { limit: limit * 3 })
    .filter((e) => e.role === "user" || e.role === "assistant")
    .map((e) => ({ role: e.role, text: messageText(e.message).slice(0, maxChars) }))
    .filter((i) => i.text !== "")
    .slice(-limit);
  return { key: k, status: items.length === 0 ? "empty" : "ok", items };
}

/** Registers the sessions methods. */
export function registerSessionsMethods(
  methods: MethodRegistry,
  service: AgentService,
  storePath: string,
): void {
  const { sessions, transcripts } = service.deps;
  const existing = (k: string) => {
    const canonical = service.keyOf(k);
    const row = sessions.get(canonical);
    if (row === undefined) throw fail("PAL_SESSION_NOT_FOUND", { key: canonical.slice(0, 200) });
    return row;
  };
  methods.register({
    name: "sessions.list",
    scope: "operator.read",
    params: sessionsListParams,
    handler: (p) => {
      const now = service.deps.now();
      const rows = sessions.list({
        limit: p?.limit,
        agentId: p?.agentId,
        search: p?.search,
        activeSince: p?.activeMinutes === undefined ? undefined : now - p.activeMinutes * 60_000,
      });
      const list = rows.map((r) => {
        const e = sessionEntry(r);
        if (p?.includeLastMessage !== true) return e;
        const last = transcripts.recent(r.sessionId, { limit: 1 })[0];
        return last === undefined ? e : { ...e, lastMessagePreview: messageText(last.message).slice(0, 200) };
      });
      return { ts: now, path: storePath, count: list.length, sessions: list };
    },
  });
  methods.register({
    name: "sessions.preview",
    scope: "operator.read",
    params: sessionsPreviewParams,
    handler: (p) => ({
      ts: service.deps.now(),
      previews: p.keys.map((k) => preview(service, k, p.limit ?? 5, p.maxChars ?? 240)),
    }),
  });
  methods.register({
    name: "sessions.reset",
    scope: "operator.admin",
    params: sessionsResetParams,
    handler: (p) => {
      const row = service.reset(p.key);
      return { ok: true, key: row.key, entry: sessionEntry(row) };
    },
  });
  methods.register({
    name: "sessions.delete",
    scope: "operator.admin",
    params: sessionsDeleteParams,
    handler: (p) => {
      const row = existing(p.key);
      service.abort(row.key);
      const deleted = sessions.delete(row.key);
      const removed = p.deleteTranscript === false ? 0 : transcripts.deleteSession(row.sessionId);
      return { ok: true, key: row.key, deleted, removedMessages: removed };
    },
  });
  methods.register({
    name: "sessions.compact",
    scope: "operator.admin",
    params: sessionsCompactParams,
    handler: async (p) => {
      const row = existing(p.key);
      const r = await service.compact(row.key);
      return { ok: true, key: r.key, compacted: r.compacted > 0, compactedMessages: r.compacted };
    },
  });
}
