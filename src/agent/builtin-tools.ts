import { z } from "zod";
import { defineTool, type Tool } from "./tool.js";

/** What `session_status` reads; the runtime passes it in `toolContext`. */
export interface SessionStatusInfo {
  readonly sessionKey: string;
  readonly agentId: string;
  readonly model?: string | undefined;
  readonly runs?: number | undefined;
  readonly totalTokens?: number | undefined;
}

/**
 * `session_status`: a read-only tool that tells the model which session, agent and model it runs
 * in, and the time. Harmless by construction (no I/O), so it is offered until the tools work
 * brings the real catalog and policy.
 */
export const sessionStatusTool: Tool = defineTool({
  name: "session_status",
  description: "Show the current session key, agent id, model, usage so far and the current time (UTC).",
  params: z.object({}).strict(),
  execute(ctx) {
    const info = ctx.extra.session as SessionStatusInfo | undefined;
    return {
      sessionKey: info?.sessionKey ?? null,
      agentId: info?.agentId ?? null,
      model: info?.model ?? null,
      runs: info?.runs ?? 0,
      totalTokens: info?.totalTokens ?? 0,
      time: new Date().toISOString(),
    };
  },
});

/** Tools every agent gets by default (before the tools policy exists). */
export const DEFAULT_TOOLS: readonly Tool[] = Object.freeze([sessionStatusTool]);
