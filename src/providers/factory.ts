import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import type { FetchFn, ProviderApi } from "./types.js";

/** Everything needed to build one AI SDK model; the key is resolved already. */
export interface ModelSpec {
  readonly providerId: string;
  readonly api: ProviderApi;
  readonly baseUrl: string;
  /** Empty for keyless local servers (Ollama, llama.cpp); no auth header is sent then. */
  readonly apiKey: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly modelId: string;
  readonly fetch: FetchFn;
}

const OPENAI_HOST = "api.openai.com";

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/**
 * OpenClaw writes Anthropic base URLs without `/v1` (the Anthropic SDK adds `/v1/messages`); the
 * AI SDK expects `/v1` in the base URL. Accept both spellings so `/v1/v1` never happens.
 */
export function anthropicBaseUrl(baseUrl: string): string {
  const url = trimSlash(baseUrl);
  return url.endsWith("/v1") ? url : `${url}/v1`;
}

/** Drops an empty bearer/x-api-key header so keyless servers see no bogus credentials. */
function keylessFetch(inner: FetchFn): FetchFn {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    if (headers.get("authorization")?.trim() === "Bearer") headers.delete("authorization");
    if (headers.get("x-api-key") === "") headers.delete("x-api-key");
    return inner(input, { ...init, headers });
  };
}

function isOpenAIHost(providerId: string, baseUrl: string): boolean {
  if (providerId === "openai") return true;
  try {
    return new URL(baseUrl).hostname === OPENAI_HOST;
  } catch {
    return false;
  }
}

/**
 * Builds the AI SDK model for one provider and model id. Every setting is passed explicitly so
 * the SDK never falls back to `OPENAI_API_KEY`, `ANTHROPIC_BASE_URL` or other globals.
 */
export function createLanguageModel(spec: ModelSpec): LanguageModel {
  const fetch = spec.apiKey === "" ? keylessFetch(spec.fetch) : spec.fetch;
  const common = { apiKey: spec.apiKey, headers: { ...spec.headers }, fetch };
  switch (spec.api) {
    case "anthropic-messages":
      return createAnthropic({ ...common, baseURL: anthropicBaseUrl(spec.baseUrl) })(spec.modelId);
    case "openai-responses":
      return createOpenAI({ ...common, baseURL: trimSlash(spec.baseUrl), name: spec.providerId }).responses(
        spec.modelId,
      );
    case "openai-completions":
      if (isOpenAIHost(spec.providerId, spec.baseUrl)) {
        return createOpenAI({ ...common, baseURL: trimSlash(spec.baseUrl), name: spec.providerId }).chat(
          spec.modelId,
        );
      }
      // Ollama, vLLM, llama.cpp, LM Studio, OpenRouter: the compatible provider tolerates their
      // dialects and asks for usage in streams.
      return createOpenAICompatible({
        ...common,
        name: spec.providerId,
        baseURL: trimSlash(spec.baseUrl),
        includeUsage: true,
      }).chatModel(spec.modelId);
  }
}
