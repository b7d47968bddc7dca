/** The {@link SessionsPort} over the agent service (sessions_* tools). */
import { randomUUID } from "node:crypto";
import { type AgentService, messageText } from "../agent/index.js";
import type { SessionsPort } from "./context.js";

/** Adapts the agent service to the sessions tools. */
export function sessionsPortFor(service: AgentService): SessionsPort {
  const d = () => service.deps;
  return {
    list(agentId, limit) {
      return d()
        .sessions.list({ agentId, limit })
        .map((s) => ({
          key: s.key,
          updatedAt: new Date(s.updatedAt).toISOString(),
          runs: s.runs,
          model: s.model,
          totalTokens: s.totalTokens,
        }));
    },
    ownerOf(key) {
      return d().sessions.get(key)?.agentId;
    },
    history(key, limit) {
      const row = d().sessions.get(key);
      if (row === undefined) return [];
      return d()
        .transcripts.recent(row.sessionId, { limit: limit * 3 })
        .filter((e) => e.role === "user" || e.role === "assistant")
        .map((e) => ({ role: e.role, text: messageText(e.message).slice(0, 4000) }))
        .filter((m) => m.text !== "")
        .slice(-limit);
    },
    async send(key, message, timeoutMs) {
      const started = service.start({ sessionKey: key, message, idempotencyKey: `tool-${randomUUID()}` });
      if (timeoutMs === 0) return { runId: started.runId, status: "accepted" };
      const { outcome } = await service.wait(started.runId, timeoutMs);
      if (outcome === undefined) return { runId: started.runId, status: "timeout" };
      return { runId: started.runId, status: outcome.status, reply: outcome.text };
    },
  };
}
