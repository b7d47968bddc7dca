import type { LanguageModel } from "ai";

/** Wire protocol a provider speaks (OpenClaw's `models.providers.<id>.api`). */
export type ProviderApi = "openai-completions" | "openai-responses" | "anthropic-messages";

/** USD per million tokens, as OpenClaw's `models[].cost`. */
export interface ModelCost {
  readonly input?: number | undefined;
  readonly output?: number | undefined;
  readonly cacheRead?: number | undefined;
  readonly cacheWrite?: number | undefined;
}

/** One model a provider serves (`models.providers.<id>.models[]`). */
export interface ModelInfo {
  /** Model id as the provider names it; sent on the wire. */
  readonly id: string;
  /** Display name. */
  readonly name?: string | undefined;
  /** Context window in tokens; compaction aims below it. */
  readonly contextWindow?: number | undefined;
  /** Max output tokens per call. */
  readonly maxTokens?: number | undefined;
  /** Prices for usage reports. */
  readonly cost?: ModelCost | undefined;
}

/**
 * One provider as configured (`models.providers.<id>`), structurally the config schema's output
 * so the config system's value can be passed as is.
 */
export interface ProviderConfig {
  /** API base URL. OpenAI-style APIs include `/v1`; Anthropic's is the host (`/v1` is added). */
  readonly baseUrl?: string | undefined;
  /** API key, already resolved from `${VAR}`. Never logged, never in error text. */
  readonly apiKey?: string | undefined;
  /** Wire protocol; default `openai-completions` for custom providers. */
  readonly api?: ProviderApi | undefined;
  /** Extra HTTP headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Models offered; unknown ids are still allowed and get no metadata. */
  readonly models?: readonly ModelInfo[] | undefined;
}

/** A model reference: `"provider/model"` or OpenClaw's `{primary, fallbacks}`. */
export type ModelRefInput =
  | string
  | { readonly primary: string; readonly fallbacks?: readonly string[] | undefined };

/** A parsed `provider/model` ref. The model part may itself contain `/` (OpenRouter ids). */
export interface ParsedModelRef {
  readonly provider: string;
  readonly model: string;
  /** The ref as `provider/model`. */
  readonly ref: string;
}

/** A ready model: the AI SDK language model plus what Palisade knows about it. */
export interface ResolvedModel {
  /** `provider/model`. */
  readonly ref: string;
  readonly provider: string;
  readonly modelId: string;
  readonly api: ProviderApi;
  /**
   * The AI SDK model (called by model-step.ts), built on the first call (which loads the SDK) and the
   * same object after that.
   */
  readonly languageModel: () => Promise<LanguageModel>;
  /** Metadata from `models[]`, or just the id. */
  readonly info: ModelInfo;
}

/** Environment variables, injected (tests never read `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The `fetch` the providers use, injected. */
export type FetchFn = typeof globalThis.fetch;
