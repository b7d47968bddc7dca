/**
 * Model providers on the Vercel AI SDK: a registry that turns `models.providers` and model refs
 * into AI SDK models, a failover caller (retries with backoff, Retry-After, stall timeouts and an
 * ordered fallback chain) and usage accounting. The SDK itself loads on first use (`loadSdk`).
 */
export {
  type AttemptFailure,
  isProviderFailure,
  type ModelCallOptions,
  type ModelStepRequest,
  type ModelStepResult,
  type ModelToolCall,
  streamModelStep,
} from "./call.js";
export {
  credentialFile,
  type KeySources,
  providerEnvVar,
  readCredentialKey,
  withResolvedKeys,
} from "./credentials.js";
export type { ModelSpec } from "./factory.js";
export { describeError, redactSecrets } from "./redact.js";
export { modelChain, parseModelRef } from "./refs.js";
export {
  BUILTIN_PROVIDERS,
  createModelRegistry,
  type ModelRegistry,
  type ModelRegistryOptions,
} from "./registry.js";
export {
  type ApiErrorCheck,
  abortableSleep,
  backoffDelay,
  classifyFailure,
  type FailureClass,
  parseRetryAfter,
  type RetryOptions,
} from "./retry.js";
export { loadSdk, type Sdk } from "./sdk.js";
export type {
  Env,
  FetchFn,
  ModelCost,
  ModelInfo,
  ModelRefInput,
  ParsedModelRef,
  ProviderApi,
  ProviderConfig,
  ResolvedModel,
} from "./types.js";
export { addUsage, type Usage, usageFromSdk, ZERO_USAGE } from "./usage.js";
