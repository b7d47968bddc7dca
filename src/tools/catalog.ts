/**
 * The tool catalog: every built-in tool by name, with its group and risk class. The names come
 * from `config/schema/tool-names.ts`, which config validation reads without loading tool code.
 */
import type { Tool } from "../agent/index.js";
import { sessionStatusTool } from "../agent/index.js";
import { TOOL_GROUPS, TOOL_NAMES, type ToolName } from "../config/schema/tool-names.js";
import { applyPatchTool } from "./builtin/apply-patch.js";
import { execTool } from "./builtin/exec.js";
import { editTool, readTool, writeTool } from "./builtin/fs.js";
import { messageTool } from "./builtin/message.js";
import { processTool } from "./builtin/process.js";
import { sessionsHistoryTool, sessionsListTool, sessionsSendTool } from "./builtin/sessions.js";
import { webFetchTool } from "./builtin/web-fetch.js";
import type { ToolDeps } from "./context.js";

export { TOOL_GROUPS, TOOL_NAMES, type ToolName };

/** How much harm a tool can do: read-only, writes the workspace, reaches out, runs code. */
export type RiskClass = "read" | "write" | "network" | "exec";

/** Risk class of each tool. */
export const TOOL_RISK: Readonly<Record<ToolName, RiskClass>> = Object.freeze({
  exec: "exec",
  process: "exec",
  read: "read",
  write: "write",
  edit: "write",
  apply_patch: "write",
  web_fetch: "network",
  message: "network",
  sessions_list: "read",
  sessions_history: "read",
  sessions_send: "write",
  session_status: "read",
});

/** Builds every built-in tool over the shared dependencies. */
export function buildTools(deps: ToolDeps): ReadonlyMap<ToolName, Tool> {
  const tools: Record<ToolName, Tool> = {
    exec: execTool(deps),
    process: processTool(deps),
    read: readTool(deps),
    write: writeTool(deps),
    edit: editTool(deps),
    apply_patch: applyPatchTool(deps),
    web_fetch: webFetchTool(deps),
    message: messageTool(deps),
    sessions_list: sessionsListTool(deps),
    sessions_history: sessionsHistoryTool(deps),
    sessions_send: sessionsSendTool(deps),
    session_status: sessionStatusTool,
  };
  return new Map(TOOL_NAMES.map((n) => [n, tools[n]] as const));
}
