/**
 * Tools: the catalog, the tool policy (groups, profiles, allow/deny, elevated), exec approvals,
 * the built-in tools (exec, process, read, write, edit, apply_patch, web_fetch, message,
 * sessions_*), the fs jail and the SSRF guard. The only entry of this folder.
 */
export {
  type ApprovalDecision,
  type ApprovalEmit,
  type ApprovalOutcome,
  approvalPayload,
  ExecApprovals,
} from "./approvals.js";
export { buildTools, type RiskClass, TOOL_GROUPS, TOOL_NAMES, TOOL_RISK, type ToolName } from "./catalog.js";
export type { CallContext, MessageSender, SessionsPort, ToolDeps } from "./context.js";
export { allowlistHit, DEFAULT_SAFE_BINS, isSafeBinUse, matchesPattern } from "./exec/allowlist.js";
export { type Analysis, analyzeCommand } from "./exec/analyze.js";
export { bindingHash, type ExecBinding } from "./exec/binding.js";
export { checkModelEnv, EXEC_PATH, envNameProblem, execEnvironment } from "./exec/env.js";
export { parseShellWords, type ShellParse } from "./exec/shell-words.js";
export {
  type Jail,
  jailComponents,
  makeJail,
  openForRead,
  readJailed,
  unlinkJailed,
  writeJailed,
} from "./fs/jail.js";
export { decodeEntities, htmlToText } from "./net/html-text.js";
export { isPublicAddress, nonPublicReason, parseIPv4, parseIPv6 } from "./net/ip.js";
export {
  checkUrl,
  type Resolver,
  type SafeFetchOptions,
  type SafeFetchResult,
  safeFetch,
  systemResolver,
} from "./net/safe-fetch.js";
export {
  type AgentToolPolicy,
  type ElevatedPolicy,
  type ExecAsk,
  type ExecHost,
  type ExecPolicy,
  type ExecSecurity,
  resolveAgentToolPolicy,
  resolveAllowedTools,
  type ToolsConfigView,
} from "./policy.js";
export { ProcessRegistry } from "./process-registry.js";
export { createToolService, type ToolService, type ToolServiceOptions } from "./service.js";
export { sessionsPortFor } from "./sessions-port.js";
