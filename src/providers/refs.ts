import { fail } from "../core/errors.js";
import type { ModelRefInput, ParsedModelRef } from "./types.js";

/** Bound on fallbacks, matching the config schema. */
const MAX_CHAIN = 21;

/**
 * Parses `"provider/model"`. The provider is everything before the first `/`, so OpenRouter-style
 * ids (`openrouter/anthropic/claude-x`) keep their own slashes.
 */
export function parseModelRef(ref: string): ParsedModelRef {
  const trimmed = ref.trim();
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1)
    throw fail("PAL_PROVIDER_BAD_REF", { ref: JSON.stringify(ref) });
  const provider = trimmed.slice(0, slash).toLowerCase();
  const model = trimmed.slice(slash + 1);
  return { provider, model, ref: `${provider}/${model}` };
}

/** The ordered chain of refs to try: primary first, then fallbacks, duplicates dropped. */
export function modelChain(input: ModelRefInput): ParsedModelRef[] {
  const raw = typeof input === "string" ? [input] : [input.primary, ...(input.fallbacks ?? [])];
  const seen = new Set<string>();
  const out: ParsedModelRef[] = [];
  for (const r of raw.slice(0, MAX_CHAIN)) {
    const parsed = parseModelRef(r);
    if (seen.has(parsed.ref)) continue;
    seen.add(parsed.ref);
    out.push(parsed);
  }
  return out;
}
