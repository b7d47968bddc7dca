import type { ChannelAdapter, InboundMessage } from "./types.js";

/** When the typing indicator shows and how often it is refreshed. */
export interface TypingOptions {
  /** Refreshes the indicator this often while a run is in progress, ms. Default 4000. */
  readonly everyMs?: number | undefined;
  /**
   * Shows the indicator only once a run took this long, ms. Default 300: a reply that is
   * faster needs no indicator, and skipping it saves one platform call per message.
   */
  readonly delayMs?: number | undefined;
}

/**
 * Shows "typing" in the chat of `msg` while a run is in progress (best effort: failures are
 * ignored, a typing indicator is never a message). Returns the function that stops it.
 */
export function startTyping(
  adapter: ChannelAdapter,
  msg: InboundMessage,
  opts: TypingOptions = {},
): () => void {
  const target = { chatId: msg.chatId, ...(msg.threadId === undefined ? {} : { threadId: msg.threadId }) };
  const ping = () => void adapter.typing(target).catch(() => {});
  let every: ReturnType<typeof setInterval> | undefined;
  const first = setTimeout(() => {
    ping();
    every = setInterval(ping, opts.everyMs ?? 4000);
  }, opts.delayMs ?? 300);
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
