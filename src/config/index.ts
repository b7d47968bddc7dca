/**
 * The config system: schema, loading (JSON5, `$include`, `${VAR}`, `.env`), diagnostics, hash
 * and comment-preserving atomic edits. Other domains import only this file.
 */

export { formatPath, parsePath } from "./config-path.js";
export type { Diagnostic } from "./diagnostics.js";
export { type ConfigPath, type GetResult, getAtPath, setConfigText, unsetConfigText } from "./edit.js";
export { loadEnv, substituteString } from "./env.js";
export { MAX_CONFIG_BYTES, MAX_INCLUDE_DEPTH } from "./include.js";
export { configJsonSchema } from "./json-schema.js";
export { type LoadedConfig, type LoadOptions, loadConfig, readConfigFile } from "./load.js";
export { applyMergePatch, mergePatchText } from "./merge-patch.js";
export { fileValue, redactConfigText, restoreRedacted } from "./raw-value.js";
export {
  changedPaths,
  classifyPath,
  planReload,
  RESTART_PREFIXES,
  type ReloadClass,
  type ReloadPlan,
} from "./reload-plan.js";
export { configSchema, type PalisadeConfig, type PalisadeConfigInput } from "./schema/root.js";
export { isSecretKey, REDACTED, redactConfigValue, redactedPaths, secretPaths } from "./secrets.js";
export type { PathSegment } from "./tree.js";
export { readRawTree, type ValidateOptions, type ValidationResult, validateConfigText } from "./validate.js";
export { configHash, type WriteOptions, writeConfigFileAtomic } from "./write.js";
