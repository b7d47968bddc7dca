/**
 * The AI SDK's runtime half: `ai` and the provider packages (about 1 MB of code and 16 MiB of
 * memory). Only {@link loadSdk} imports this module, on the first model call, so a gateway that
 * has not talked to a model yet does not carry the SDK.
 */
import { modelMessageSchema } from "ai";

// The SDK prints warnings with console.warn, past Palisade's redacting logger; callers get
// failures through onAttemptFailed instead.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

// The SDK validates every prompt against a fresh `z.array(modelMessageSchema)`, and zod walks
// that schema for cycles on each new array until its lazy JSON-value branch has been resolved
// once (the walk's answer is cached only when certain). Resolving it here, with a message that
// has provider options, makes that walk a cache hit: about 40% less validation work per call.
modelMessageSchema.safeParse({
  role: "user",
  content: [{ type: "text", text: "", providerOptions: { p: { k: [1, { v: null }] } } }],
  providerOptions: { p: { k: "v" } },
});

export { APICallError, generateText, jsonSchema, modelMessageSchema, streamText } from "ai";
export { createLanguageModel } from "./factory.js";
