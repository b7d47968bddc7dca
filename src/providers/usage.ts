import type { LanguageModelUsage } from "ai";
import type { ModelCost } from "./types.js";

/** Token usage of one call or a whole run; `costUsd` only when every priced call had a price. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costUsd?: number;
}

/** No usage yet. */
export const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });

/** Converts the AI SDK's usage (fields may be missing) and prices it with the model's cost. */
export function usageFromSdk(u: LanguageModelUsage | undefined, cost?: ModelCost): Usage {
  const inputTokens = u?.inputTokens ?? 0;
  const outputTokens = u?.outputTokens ?? 0;
  const totalTokens = u?.totalTokens ?? inputTokens + outputTokens;
  const base = { inputTokens, outputTokens, totalTokens };
  if (cost?.input === undefined && cost?.output === undefined) return base;
  const cacheRead = u?.inputTokenDetails?.cacheReadTokens ?? 0;
  const cacheWrite = u?.inputTokenDetails?.cacheWriteTokens ?? 0;
  const plainInput = Math.max(0, inputTokens - cacheRead - cacheWrite);
  const inPrice = cost.input ?? 0;
  const costUsd =
    (plainInput * inPrice +
      cacheRead * (cost.cacheRead ?? inPrice) +
      cacheWrite * (cost.cacheWrite ?? inPrice) +
      outputTokens * (cost.output ?? 0)) /
    1_000_000;
  return { ...base, costUsd };
}

/** Sums two usages; cost is summed when either side has one. */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
  if (a.costUsd === undefined && b.costUsd === undefined) return sum;
  return { ...sum, costUsd: (a.costUsd ?? 0) + (b.costUsd ?? 0) };
}
