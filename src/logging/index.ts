/**
 * Structured logging (pino) with redaction of secrets on by default. Other folders import
 * logging only through this file; the gateway reuses the same redaction for RPC payloads
 * (`logs.tail`) and errors via {@link redactText} / {@link redactValue}.
 */

export type { Logger } from "pino";
export { redactJsonLine } from "./json-line.js";
export { setLogLevels } from "./level.js";
export type { LoggerOptions, LogLevel, LogSink } from "./logger.js";
export { createLogger } from "./logger.js";
export type { RedactRule } from "./patterns.js";
export { BUILTIN_RULES, isSensitiveKey, REDACTED } from "./patterns.js";
export type { RedactOptions, Redactor, RedactProblem } from "./redact.js";
export {
  compileUserPattern,
  createRedactor,
  MAX_PATTERN_LENGTH,
  MIN_SECRET_LENGTH,
  redactText,
  redactValue,
} from "./redact.js";
export type { RotateOptions, RotatingFile } from "./rotating-file.js";
export { createRotatingFile, DEFAULT_ROTATE } from "./rotating-file.js";
