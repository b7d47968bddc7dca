/**
 * `agent` and `agent.wait` in OpenClaw's shapes: `agent` accepts a run (`{runId, status:
 * "accepted", acceptedAt}`, events as for `chat.send`); `agent.wait` waits for it to end and
 * answers `{runId, status: ok|error|timeout, startedAt, endedAt, error?}` plus Palisade's
 * `text`, `stopReason`, `sessionKey` and `usage`, so a script needs no second call.
 */
import { z } from "zod";
import type { AgentService } from "../../agent/index.js";
import type { MethodRegistry } from "../method-registry.js";
import { MAX_CHAT_MESSAGE_CHARS, MAX_RUN_TIMEOUT_MS, runTimeout } from "./chat.js";

/** `agent` params (OpenClaw AgentParams; routing fields for channels come with the channels work). */
export const agentParams = z.object({
  message: z
    .string()
    .max(MAX_CHAT_MESSAGE_CHARS)
    .refine((m) => m.trim() !== "", "message is empty"),
  agentId: z.string().min(1).max(64).optional(),
  sessionKey: z.string().min(1).max(512).optional(),
  idempotencyKey: z.string().min(1).max(256),
  timeout: z.int().min(0).optional(),
  label: z.string().max(64).optional(),
  thinking: z.string().optional(),
  deliver: z.boolean().optional(),
});

/** `agent.wait` params; `timeoutMs` default 30 s, at most 10 min. */
export const agentWaitParams = z.object({
  runId: z.string().min(1).max(256),
  timeoutMs: z.int().min(0).max(MAX_RUN_TIMEOUT_MS).optional(),
});

/** Registers `agent` and `agent.wait`. */
export function registerAgentMethods(methods: MethodRegistry, service: AgentService): void {
  methods.register({
    name: "agent",
    scope: "operator.write",
    params: agentParams,
    sideEffect: true,
    handler: (p) => {
      const run = service.start({
        sessionKey: p.sessionKey,
        agentId: p.agentId,
        message: p.message,
        idempotencyKey: p.idempotencyKey,
        timeoutMs: runTimeout(p.timeout),
      });
      return { runId: run.runId, status: "accepted", acceptedAt: run.acceptedAt, sessionKey: run.sessionKey };
    },
  });
  methods.register({
    name: "agent.wait",
    scope: "operator.write",
    params: agentWaitParams,
    handler: async (p) => {
      const { rec, outcome } = await service.wait(p.runId, p.timeoutMs ?? 30_000);
      const times = {
        ...(rec.startedAt === undefined ? {} : { startedAt: rec.startedAt }),
        ...(rec.endedAt === undefined ? {} : { endedAt: rec.endedAt }),
      };
      if (outcome === undefined)
        return { runId: rec.runId, status: "timeout", sessionKey: rec.sessionKey, ...times };
      const status = outcome.status === "ok" ? "ok" : outcome.status === "timeout" ? "timeout" : "error";
      return {
        runId: rec.runId,
        status,
        ...times,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        sessionKey: rec.sessionKey,
        text: outcome.text,
        stopReason: outcome.stopReason,
        ...(outcome.usage === undefined ? {} : { usage: outcome.usage }),
        ...(outcome.model === undefined ? {} : { model: outcome.model }),
      };
    },
  });
}
