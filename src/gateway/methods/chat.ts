/**
 * `chat.send`, `chat.history` and `chat.abort` in OpenClaw's shapes. `chat.send` acks at once
 * with `{runId, status: "started"}` (the run id is the idempotency key, as in OpenClaw) and the
 * run streams `chat` events: `delta`, then one of `final`, `aborted` or `error`.
 */
import { z } from "zod";
import { type AgentService, toChatMessages } from "../../agent/index.js";
import type { WebchatIngress } from "../../channels/index.js";
import type { MethodRegistry } from "../method-registry.js";

/** Longest chat message accepted, characters. */
export const MAX_CHAT_MESSAGE_CHARS = 200_000;
/** Longest run a client may ask for, ms (also the runtime default). */
export const MAX_RUN_TIMEOUT_MS = 600_000;

const sessionKey = z.string().min(1).max(512);

/** `chat.send` params (OpenClaw ChatSendParams; fields Palisade does not use yet are accepted). */
export const chatSendParams = z.object({
  sessionKey,
  message: z
    .string()
    .max(MAX_CHAT_MESSAGE_CHARS)
    .refine((m) => m.trim() !== "", "message is empty"),
  idempotencyKey: z.string().min(1).max(256),
  sessionId: z.string().optional(),
  thinking: z.string().optional(),
  deliver: z.boolean().optional(),
  attachments: z.array(z.unknown()).max(0, "attachments are not supported yet").optional(),
  timeoutMs: z.int().min(0).optional(),
});

/** `chat.history` params. */
export const chatHistoryParams = z.object({
  sessionKey,
  limit: z.int().min(1).max(1000).optional(),
  maxChars: z.int().min(1).max(500_000).optional(),
});

/** `chat.abort` params. */
export const chatAbortParams = z.object({ sessionKey, runId: z.string().min(1).max(256).optional() });

/** A client-requested run limit, bounded; 0 or absent means the default. */
export function runTimeout(ms: number | undefined): number | undefined {
  return ms === undefined || ms === 0 ? undefined : Math.min(ms, MAX_RUN_TIMEOUT_MS);
}

function capChars(
  messages: Record<string, unknown>[],
  maxChars: number | undefined,
): Record<string, unknown>[] {
  if (maxChars === undefined) return messages;
  let used = 0;
  const kept: Record<string, unknown>[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Record<string, unknown>;
    used += JSON.stringify(m.content ?? "").length;
    if (used > maxChars && kept.length > 0) break;
    kept.push(m);
  }
  return kept.reverse();
}

/**
 * Registers the chat methods. With `durable` (the gateway's WebChat ingress), `chat.send` is
 * persisted in the inbox before it is acknowledged and deduplicated on its idempotencyKey across
 * restarts; without it (tests of the agent alone), the key dedupes in memory only.
 */
export function registerChatMethods(
  methods: MethodRegistry,
  service: AgentService,
  durable?: Pick<WebchatIngress, "send">,
): void {
  methods.register({
    name: "chat.send",
    scope: "operator.write",
    params: chatSendParams,
    sideEffect: true,
    handler: (p, ctx) => {
      if (durable !== undefined) {
        return durable.send({
          sessionKey: p.sessionKey,
          message: p.message,
          idempotencyKey: p.idempotencyKey,
          timeoutMs: runTimeout(p.timeoutMs),
          owner: ctx.transport !== "channel",
          senderId: ctx.deviceId ?? ctx.clientId ?? ctx.connId,
        });
      }
      const run = service.start({
        sessionKey: p.sessionKey,
        message: p.message,
        idempotencyKey: p.idempotencyKey,
        timeoutMs: runTimeout(p.timeoutMs),
        // An authenticated operator's chat is the owner's (channel owners come with issue 7).
        owner: ctx.transport !== "channel",
      });
      return { runId: run.runId, status: run.duplicate ? "in_flight" : "started" };
    },
  });
  methods.register({
    name: "chat.history",
    scope: "operator.read",
    params: chatHistoryParams,
    handler: (p) => {
      const key = service.keyOf(p.sessionKey);
      const { sessions, transcripts } = service.deps;
      const row = sessions.get(key);
      if (row === undefined) return { sessionKey: key, sessionId: null, messages: [] };
      const entries = transcripts.recent(row.sessionId, { limit: p.limit ?? 200 });
      const messages = capChars(entries.flatMap(toChatMessages), p.maxChars);
      return { sessionKey: key, sessionId: row.sessionId, messages };
    },
  });
  methods.register({
    name: "chat.abort",
    scope: "operator.write",
    params: chatAbortParams,
    handler: (p) => {
      const runIds = service.abort(service.keyOf(p.sessionKey), p.runId);
      return { ok: true, aborted: runIds.length > 0, runIds };
    },
  });
}
