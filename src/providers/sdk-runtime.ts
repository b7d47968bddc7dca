/**
 * The AI SDK's runtime half: `ai` and the provider packages (about 1 MB of code and 16 MiB of
 * memory). Only {@link loadSdk} imports this module, on the first model call, so a gateway that
 * has not talked to a model yet does not carry the SDK.
 */
// The SDK prints warnings with console.warn, past Palisade's redacting logger; callers get
// failures through onAttemptFailed instead.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

export { APICallError, jsonSchema, modelMessageSchema } from "ai";
// The SDK's own prompt conversion and tool preparation, for calls made below `generateText`
// (see model-step.ts).
export { asLanguageModelUsage, convertToLanguageModelPrompt, prepareToolsAndToolChoice } from "ai/internal";
export { createLanguageModel } from "./factory.js";
