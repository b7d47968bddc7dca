import type { ModelMessage } from "ai";
import {
  type ModelCallOptions,
  type ResolvedModel,
  streamModelStep,
  type Usage,
} from "../providers/index.js";

/** Marks the message that replaces compacted turns; transcripts and UIs look for it. */
export const SUMMARY_MARKER = "[Summary of earlier conversation]";

/** Rough token estimate (4 characters a token), good enough to decide when to compact. */
export function estimateTokens(messages: readonly ModelMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += 16; // role and framing
    if (typeof m.content === "string") chars += m.content.length;
    else chars += JSON.stringify(m.content).length;
  }
  return Math.ceil(chars / 4);
}

/** Whether `msg` is a compaction summary. */
export function isSummaryMessage(msg: ModelMessage): boolean {
  const c = msg.content;
  const text = typeof c === "string" ? c : Array.isArray(c) && c[0]?.type === "text" ? c[0].text : "";
  return msg.role === "user" && text.startsWith(SUMMARY_MARKER);
}

/** Options of {@link planCompaction}. */
export interface CompactionPlanOptions {
  /** The model's context window in tokens. Default 128_000. */
  readonly contextWindow?: number | undefined;
  /** Compact when history passes this share of the window. Default 0.75. */
  readonly threshold?: number | undefined;
  /** Most recent user turns kept verbatim. Default 4. */
  readonly keepTurns?: number | undefined;
}

/** Which messages to summarize and which to keep. */
export interface CompactionPlan {
  readonly older: readonly ModelMessage[];
  readonly recent: readonly ModelMessage[];
}

/**
 * Pure: decides whether history needs compaction and where to cut. Cuts only before a user
 * message, so an assistant tool call is never separated from its tool result. Null: no need.
 */
export function planCompaction(
  history: readonly ModelMessage[],
  opts: CompactionPlanOptions = {},
): CompactionPlan | null {
  const window = opts.contextWindow ?? 128_000;
  if (estimateTokens(history) < window * (opts.threshold ?? 0.75)) return null;
  const keep = Math.max(1, opts.keepTurns ?? 4);
  const userIdx = history.flatMap((m, i) => (m.role === "user" && !isSummaryMessage(m) ? [i] : []));
  if (userIdx.length <= keep) return null;
  const cut = userIdx[userIdx.length - keep] as number;
  if (cut <= 0) return null;
  return { older: history.slice(0, cut), recent: history.slice(cut) };
}

/** Renders messages as plain text for the summarizer. */
function transcriptText(messages: readonly ModelMessage[], maxChars: number): string {
  const lines = messages.map((m) => {
    const body = typeof m.content === "string" ? m.content : JSON.stringify(m.content);
    return `${m.role}: ${body}`;
  });
  const text = lines.join("\n");
  return text.length > maxChars ? text.slice(text.length - maxChars) : text;
}

const SUMMARIZER_SYSTEM =
  "You compress chat history. Write a concise summary of the conversation so far: facts, decisions, open tasks, names, numbers and tool results that still matter. No preamble.";

/** Options of {@link compactHistory}. */
export interface CompactOptions extends CompactionPlanOptions {
  readonly models: readonly ResolvedModel[];
  /** Longest transcript sent to the summarizer, characters. Default 200_000. */
  readonly maxInputChars?: number | undefined;
  /** Provider settings (retries, signal, injected I/O). */
  readonly provider?: Omit<ModelCallOptions, "onDelta"> | undefined;
}

/** A compaction: the new history starts with one summary message. */
export interface CompactionResult {
  readonly messages: readonly ModelMessage[];
  readonly summary: ModelMessage;
  readonly compactedCount: number;
  readonly usage: Usage;
}

/**
 * Summarizes older turns with the model into one message marked with {@link SUMMARY_MARKER}
 * and keeps recent turns verbatim. Null when no compaction is needed. Provider failures throw.
 */
export async function compactHistory(
  history: readonly ModelMessage[],
  opts: CompactOptions,
): Promise<CompactionResult | null> {
  const plan = planCompaction(history, opts);
  if (plan === null) return null;
  const r = await streamModelStep(
    opts.models,
    {
      system: SUMMARIZER_SYSTEM,
      messages: [{ role: "user", content: transcriptText(plan.older, opts.maxInputChars ?? 200_000) }],
    },
    { ...opts.provider, stream: false },
  );
  const summary: ModelMessage = { role: "user", content: `${SUMMARY_MARKER}\n${r.text.trim()}` };
  return { messages: [summary, ...plan.recent], summary, compactedCount: plan.older.length, usage: r.usage };
}
