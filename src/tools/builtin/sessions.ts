/**
 * `sessions_list`, `sessions_history`, `sessions_send` (OpenClaw's parameters: limit; sessionKey;
 * sessionKey, message, timeoutSeconds). An agent sees only its own agent's sessions, and cannot
 * send to the session it runs in (that would wait on itself).
 */
import { z } from "zod";
import { defineTool, type Tool } from "../../agent/index.js";
import { fail } from "../../core/errors.js";
import { type CallContext, callContext, type SessionsPort, type ToolDeps } from "../context.js";

function port(deps: ToolDeps): SessionsPort {
  const p = deps.sessions();
  if (p === undefined)
    throw fail("PAL_TOOL_SESSION_REFUSED", { key: "-", reason: "sessions are not available here" });
  return p;
}

function visible(p: SessionsPort, call: CallContext, key: string): void {
  const owner = p.ownerOf(key);
  const shown = JSON.stringify(key.slice(0, 200));
  if (owner === undefined)
    throw fail("PAL_TOOL_SESSION_REFUSED", { key: shown, reason: "it does not exist" });
  if (owner !== call.agentId)
    throw fail("PAL_TOOL_SESSION_REFUSED", { key: shown, reason: "it belongs to another agent" });
}

const sessionKey = z.string().min(1).max(512).describe("Session key (from sessions_list).");

/** The sessions_list tool. */
export function sessionsListTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "sessions_list",
    description: "List this agent's chat sessions, most recent first.",
    params: z.object({ limit: z.int().min(1).max(200).optional() }).strict(),
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      return { sessions: await port(deps).list(call.agentId, args.limit ?? 50) };
    },
  });
}

/** The sessions_history tool. */
export function sessionsHistoryTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "sessions_history",
    description: "Read the recent messages of one of this agent's sessions.",
    params: z.object({ sessionKey, limit: z.int().min(1).max(200).optional() }).strict(),
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      const p = port(deps);
      visible(p, call, args.sessionKey);
      return { sessionKey: args.sessionKey, messages: await p.history(args.sessionKey, args.limit ?? 20) };
    },
  });
}

/** The sessions_send tool. */
export function sessionsSendTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "sessions_send",
    description: "Send a message into another of this agent's sessions and wait (bounded) for its reply.",
    params: z
      .object({
        sessionKey,
        message: z.string().min(1).max(20_000),
        timeoutSeconds: z.int().min(0).max(600).optional().describe("0: do not wait. Default 60."),
      })
      .strict(),
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      const p = port(deps);
      if (args.sessionKey === call.sessionKey)
        throw fail("PAL_TOOL_SESSION_REFUSED", {
          key: JSON.stringify(args.sessionKey),
          reason: "it is the session this run is in",
        });
      visible(p, call, args.sessionKey);
      return p.send(args.sessionKey, args.message, (args.timeoutSeconds ?? 60) * 1000);
    },
  });
}
