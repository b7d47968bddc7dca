import type { ModelMessage } from "ai";
import { loadSdk, type Sdk } from "../providers/index.js";
import type { TranscriptAppend, TranscriptEntry } from "../store/index.js";

/**
 * Each entry's validated message (null: it did not parse). The store hands out the same entry
 * objects for as long as a session's context stays cached, so an entry is validated once, not
 * on every turn.
 */
const validated = new WeakMap<TranscriptEntry, ModelMessage | null>();

/** Turns model messages into transcript rows. */
export function toTranscriptRows(messages: readonly ModelMessage[], runId?: string): TranscriptAppend[] {
  return messages.map((m) => ({ role: m.role, message: m, runId }));
}

/**
 * Transcript entries back to model messages for the next run: each row validated with the AI
 * SDK's schema (a row that does not parse is skipped, never sent), and leading rows dropped up
 * to the first user message so a window cut never starts with an orphaned tool result.
 * `ids[i]` is the transcript id of `messages[i]`. The messages may be shared with later calls
 * for the same entries: callers must not modify them.
 */
export async function toModelMessages(entries: readonly TranscriptEntry[]): Promise<{
  messages: ModelMessage[];
  ids: number[];
}> {
  const messages: ModelMessage[] = [];
  const ids: number[] = [];
  let check: Sdk["modelMessageSchema"] | undefined;
  for (const e of entries) {
    let m = validated.get(e);
    if (m === undefined) {
      check ??= (await loadSdk()).modelMessageSchema; // the SDK loads on first use
      const parsed = check.safeParse(e.message);
      m = parsed.success ? parsed.data : null;
      validated.set(e, m);
    }
    if (m === null) continue;
    if (messages.length === 0 && e.kind !== "summary" && m.role !== "user") continue;
    messages.push(m);
    ids.push(e.id);
  }
  return { messages, ids };
}

/** The text of a message's text parts, joined. */
export function messageText(m: unknown): string {
  const c = (m as { content?: unknown } | null)?.content;
  if (typeof c === "string") return c;
  if (!Array.isArray(c)) return "";
  return c
    .flatMap((p: { type?: string; text?: unknown }) =>
      p?.type === "text" && typeof p.text === "string" ? [p.text] : [],
    )
    .join("");
}

/** An assistant text message in OpenClaw's chat shape. */
export function assistantChatMessage(text: string, timestamp: number): Record<string, unknown> {
  return { role: "assistant", content: [{ type: "text", text }], timestamp };
}

function toolOutputText(output: unknown): { text: string; isError: boolean } {
  const o = output as { type?: string; value?: unknown } | undefined;
  const isError = o?.type === "error-text" || o?.type === "error-json";
  const v = o?.value;
  return { text: typeof v === "string" ? v : JSON.stringify(v ?? null), isError };
}

/**
 * One transcript entry as OpenClaw chat messages (`chat.history`): text parts as `text`, tool
 * calls as `toolCall`, tool results as `toolResult` messages, a summary marked `kind: "summary"`.
 */
export function toChatMessages(e: TranscriptEntry): Record<string, unknown>[] {
  const m = e.message as { role?: string; content?: unknown };
  const timestamp = e.createdAt;
  const extra = e.kind === "summary" ? { kind: "summary" } : {};
  if (typeof m?.content === "string") {
    return [{ role: m.role ?? e.role, content: [{ type: "text", text: m.content }], timestamp, ...extra }];
  }
  const parts = Array.isArray(m?.content) ? (m.content as Array<Record<string, unknown>>) : [];
  if (e.role === "tool") {
    return parts
      .filter((p) => p.type === "tool-result")
      .map((p) => {
        const { text, isError } = toolOutputText(p.output);
        return {
          role: "toolResult",
          toolCallId: p.toolCallId,
          toolName: p.toolName,
          content: [{ type: "text", text }],
          isError,
          timestamp,
        };
      });
  }
  const content = parts.flatMap((p): Record<string, unknown>[] => {
    if (p.type === "text") return [{ type: "text", text: p.text }];
    if (p.type === "tool-call")
      return [{ type: "toolCall", id: p.toolCallId, name: p.toolName, arguments: p.input }];
    if (p.type === "reasoning") return [{ type: "thinking", thinking: p.text }];
    return [];
  });
  return [{ role: e.role, content, timestamp, ...extra }];
}
