/**
 * The agent runtime as a library: the model <-> tool loop, system prompt assembly from the
 * workspace, history compaction, per-session lanes and chat commands. Storage and the gateway
 * methods build on it.
 */

export { DEFAULT_TOOLS, type SessionStatusInfo, sessionStatusTool } from "./builtin-tools.js";
export { type ChatErrorKind, ChatRunEvents, type EmitFn } from "./chat-events.js";
export {
  CHAT_HELP_TEXT,
  type ChatCommand,
  type ChatCommandName,
  type ParseCommandOptions,
  parseChatCommand,
} from "./commands.js";
export {
  type CompactionPlan,
  type CompactionPlanOptions,
  type CompactionResult,
  type CompactOptions,
  compactHistory,
  estimateTokens,
  isSummaryMessage,
  planCompaction,
  SUMMARY_MARKER,
} from "./compaction.js";
export { type AgentDirectory, type AgentProfile, type AgentsSection, resolveAgents } from "./config.js";
export type { AgentServiceDeps, RuntimeLogger, SessionSettings } from "./deps.js";
export { type LaneLoad, LaneScheduler, type LaneSchedulerOptions, type LaneTask } from "./lanes.js";
export {
  buildSystemPrompt,
  type PromptFileReport,
  type SystemPrompt,
  type SystemPromptOptions,
  WORKSPACE_PROMPT_FILES,
} from "./prompt.js";
export {
  type AgentFinishReason,
  type AgentResult,
  DEFAULT_APOLOGY,
  NO_MODEL_TEXT,
  type RunAgentOptions,
  type RunProviderOptions,
  runAgent,
} from "./runner.js";
export { type RunOutcome, type RunRecord, RunRegistry, type RunStatus } from "./runs.js";
export {
  type AgentRuntime,
  type AgentRuntimeOptions,
  createAgentRuntime,
  registryFromConfig,
} from "./runtime.js";
export { AgentService, type StartedRun, type StartRunInput } from "./service.js";
export {
  capToolResult,
  DEFAULT_MAX_TOOL_RESULT_CHARS,
  defineTool,
  type Tool,
  type ToolContext,
} from "./tool.js";
export type { ToolCallRecord } from "./tool-exec.js";
export { messageText, toChatMessages, toModelMessages } from "./transcript-codec.js";
