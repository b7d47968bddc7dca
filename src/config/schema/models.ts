import { z } from "zod";
import { secretStringSchema } from "./common.js";

const modelSchema = z
  .strictObject({
    id: z.string().min(1).describe("Model id as the provider names it."),
    name: z.string().min(1).optional().describe("Display name."),
    contextWindow: z.int().min(1).max(100_000_000).optional().describe("Context window in tokens."),
    maxTokens: z.int().min(1).max(10_000_000).optional().describe("Max output tokens."),
    reasoning: z.boolean().optional().describe("Whether the model reasons (thinking)."),
    input: z
      .array(z.enum(["text", "image"]))
      .optional()
      .describe("Input kinds the model accepts."),
    cost: z
      .strictObject({
        input: z.number().min(0).optional(),
        output: z.number().min(0).optional(),
        cacheRead: z.number().min(0).optional(),
        cacheWrite: z.number().min(0).optional(),
      })
      .optional()
      .describe("USD per million tokens, for usage reports."),
  })
  .describe("A model this provider serves.");

/** One model provider (an OpenAI- or Anthropic-compatible HTTP API). */
export const providerSchema = z
  .strictObject({
    baseUrl: z.url().optional().describe("API base URL, e.g. https://api.openai.com/v1."),
    apiKey: secretStringSchema.optional().describe("API key; write it as ${VAR}."),
    api: z
      .enum(["openai-completions", "openai-responses", "anthropic-messages"])
      .optional()
      .describe("Wire protocol the provider speaks."),
    headers: z.record(z.string().min(1), z.string()).optional().describe("Extra HTTP headers."),
    models: z.array(modelSchema).max(500).optional().describe("Models offered by this provider."),
  })
  .describe("A model provider.");

/** `models`: custom and overridden model providers. */
export const modelsSchema = z
  .strictObject({
    mode: z
      .enum(["merge", "replace"])
      .optional()
      .describe("merge (default): add to the built-in catalog; replace: only these providers."),
    providers: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "use lowercase letters, digits, ., - and _"),
        providerSchema,
      )
      .optional()
      .describe("Providers by id; the id is the prefix in model refs (<id>/<model>)."),
  })
  .describe("Model providers.");

/** The validated `models` section. */
export type ModelsConfig = z.output<typeof modelsSchema>;
