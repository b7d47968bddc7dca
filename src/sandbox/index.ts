/**
 * Sandboxes: where tools run isolated from the host. The only entry of this folder.
 *
 * - {@link SandboxManager}: mode/scope decisions, create/reuse/destroy, prune, orphan cleanup.
 * - Backends: {@link DockerBackend} (Engine API), {@link BwrapBackend} (bubblewrap),
 *   {@link HostBackend} (no isolation; only with an {@link ElevatedGrant}).
 */
export { ActivityMarks } from "./activity.js";
export { agentSandboxConfig, agentSandboxSettings, agentWorkspace } from "./agents.js";
export { BwrapBackend } from "./bwrap/backend.js";
export { DockerBackend, type DockerBackendOptions, defaultDockerSocket } from "./docker/backend.js";
export { type BuildOptions, buildSandboxImage } from "./docker/build.js";
export { containerSpec } from "./docker/container-spec.js";
export { explainSandbox, type SandboxExplanation } from "./explain.js";
export { type ElevatedGrant, HostBackend, isElevatedGrant, issueElevatedGrant } from "./host/backend.js";
export { homeId, LABEL_HOME, LABEL_SANDBOX, LABEL_SCOPE } from "./labels.js";
export {
  type ManagedInfo,
  type Placement,
  SandboxManager,
  type SandboxManagerOptions,
  type SessionRef,
} from "./manager.js";
export {
  type BackendChoice,
  checkBind,
  defaultWorkspaceRoot,
  mergeSandboxConfig,
  type PolicyPaths,
  resolveSandboxSettings,
  SANDBOX_DEFAULTS,
  type SandboxMode,
  type SandboxScope,
  type SandboxSettings,
} from "./policy.js";
export { type Selection, selectBackend } from "./select.js";
export {
  type Availability,
  type BackendName,
  type ExecOptions,
  type ExecResult,
  SANDBOX_WORKSPACE,
  type Sandbox,
  type SandboxBackend,
  type SandboxInfo,
  type SandboxPolicy,
  type WorkspaceAccess,
} from "./types.js";
