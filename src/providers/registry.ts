import type { LanguageModel } from "ai";
import { fail } from "../core/errors.js";
import type { ModelSpec } from "./factory.js";
import { modelChain, parseModelRef } from "./refs.js";
import { loadSdk } from "./sdk.js";
import type {
  Env,
  FetchFn,
  ModelInfo,
  ModelRefInput,
  ProviderApi,
  ProviderConfig,
  ResolvedModel,
} from "./types.js";

/** A provider Palisade knows without config, keyed by the env var that holds its key. */
interface BuiltinProvider {
  readonly baseUrl: string;
  readonly api: ProviderApi;
  readonly envVar: string;
}

/** Built-in providers: usable with only their usual env var set. */
export const BUILTIN_PROVIDERS: Readonly<Record<string, BuiltinProvider>> = Object.freeze({
  openai: { baseUrl: "https://api.openai.com/v1", api: "openai-responses", envVar: "OPENAI_API_KEY" },
  anthropic: { baseUrl: "https://api.anthropic.com", api: "anthropic-messages", envVar: "ANTHROPIC_API_KEY" },
});

/** Options for {@link createModelRegistry}. */
export interface ModelRegistryOptions {
  /** `models.providers` from the config; merged over the built-ins. Default none. */
  readonly providers?: Readonly<Record<string, ProviderConfig>> | undefined;
  /** `models.mode`: `merge` (default) keeps the built-ins, `replace` uses only `providers`. */
  readonly mode?: "merge" | "replace" | undefined;
  /** Where built-in keys come from. Default `process.env`. */
  readonly env?: Env | undefined;
  /** HTTP client for every provider. Default global `fetch`. */
  readonly fetch?: FetchFn | undefined;
}

/** Resolves model refs to models (the AI SDK model itself is built on first use). */
export interface ModelRegistry {
  /** One ref to a model; throws a typed config error (never containing the key). */
  resolve(ref: string): ResolvedModel;
  /** The fallback chain for an agent's model setting, in order. */
  chain(input: ModelRefInput): ResolvedModel[];
  /** Provider ids that can be used, for `models list`. */
  providerIds(): string[];
  /** Configured models of a provider. */
  models(providerId: string): readonly ModelInfo[];
  /** Every key in use, so callers can scrub them from text they show. */
  secrets(): string[];
}

interface EffectiveProvider {
  readonly baseUrl: string | undefined;
  readonly api: ProviderApi;
  readonly apiKey: string | undefined;
  readonly envVar: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly models: readonly ModelInfo[];
}

function effectiveProviders(opts: ModelRegistryOptions, env: Env): Map<string, EffectiveProvider> {
  const out = new Map<string, EffectiveProvider>();
  const configured = opts.providers ?? {};
  if (opts.mode !== "replace") {
    for (const [id, b] of Object.entries(BUILTIN_PROVIDERS)) {
      out.set(id, {
        baseUrl: b.baseUrl,
        api: b.api,
        apiKey: env[b.envVar] || undefined,
        envVar: b.envVar,
        headers: {},
        models: [],
      });
    }
  }
  for (const [id, cfg] of Object.entries(configured)) {
    const base = out.get(id);
    out.set(id, {
      baseUrl: cfg.baseUrl ?? base?.baseUrl,
      api: cfg.api ?? base?.api ?? "openai-completions",
      apiKey: cfg.apiKey ?? base?.apiKey,
      envVar: base?.envVar,
      headers: cfg.headers ?? {},
      models: cfg.models ?? [],
    });
  }
  return out;
}

/**
 * Creates the model registry from `models.providers`. Resolution is lazy: a provider with a
 * missing key only fails when a ref names it, so the gateway runs with no model configured.
 */
export function createModelRegistry(opts: ModelRegistryOptions = {}): ModelRegistry {
  const env = opts.env ?? process.env;
  const fetch = opts.fetch ?? globalThis.fetch;
  const providers = effectiveProviders(opts, env);

  const resolve = (ref: string): ResolvedModel => {
    const parsed = parseModelRef(ref);
    const p = providers.get(parsed.provider);
    if (p === undefined) throw fail("PAL_PROVIDER_UNKNOWN", { ref: parsed.ref, provider: parsed.provider });
    if (p.baseUrl === undefined) {
      throw fail("PAL_PROVIDER_INVALID", { provider: parsed.provider, detail: "baseUrl is missing" });
    }
    if (p.apiKey === undefined && p.envVar !== undefined) {
      throw fail("PAL_PROVIDER_NO_KEY", { provider: parsed.provider, envVar: p.envVar });
    }
    const info = p.models.find((m) => m.id === parsed.model) ?? { id: parsed.model };
    const spec: ModelSpec = {
      providerId: parsed.provider,
      api: p.api,
      baseUrl: p.baseUrl,
      apiKey: p.apiKey ?? "",
      headers: p.headers,
      modelId: parsed.model,
      fetch,
    };
    // The SDK model is built on first use (the SDK loads then) and kept; the key stays in this
    // closure, out of anything that prints the resolved model.
    let model: Promise<LanguageModel> | undefined;
    const languageModel = (): Promise<LanguageModel> => {
      if (model === undefined) {
        const p = loadSdk().then((sdk) => sdk.createLanguageModel(spec));
        model = p;
        p.catch(() => {
          if (model === p) model = undefined;
        });
      }
      return model;
    };
    return {
      ref: parsed.ref,
      provider: parsed.provider,
      modelId: parsed.model,
      api: p.api,
      languageModel,
      info,
    };
  };

  return Object.freeze({
    resolve,
    chain: (input: ModelRefInput) => modelChain(input).map((r) => resolve(r.ref)),
    providerIds: () => [...providers.keys()],
    models: (id: string) => providers.get(id)?.models ?? [],
    secrets: () => [...providers.values()].flatMap((p) => (p.apiKey ? [p.apiKey] : [])),
  });
}
