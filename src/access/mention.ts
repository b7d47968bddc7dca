import type { InboundMessage } from "../channels/index.js";

/** Longest text the mention patterns look at, characters (bounds regex work per message). */
export const MENTION_SCAN_CHARS = 4096;

const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * Text as the mention patterns see it: Unicode NFKC (full-width and styled letters become
 * plain ones) with invisible format characters removed. Matching is case-insensitive.
 */
export function mentionText(text: string): string {
  return text.slice(0, MENTION_SCAN_CHARS).normalize("NFKC").replace(INVISIBLE, "");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Compiles an agent's `groupChat.mentionPatterns` (regular expressions, as in OpenClaw) to
 * case-insensitive Unicode regexes over {@link mentionText}; a pattern that is not a valid
 * regex is matched literally.
 */
export function compileMentionPatterns(patterns: readonly string[] | undefined): RegExp[] {
  return (patterns ?? []).map((p) => {
    const src = mentionText(p);
    try {
      return new RegExp(src, "iu");
    } catch {
      return new RegExp(escapeRegExp(src), "iu");
    }
  });
}

/**
 * Whether a group message addresses the bot: the platform's mention of the bot, a reply to one
 * of its messages, or a pattern match on the sender's own text. Edited and forwarded messages
 * never count (a mention cannot be smuggled in by editing an old message or forwarding someone
 * else's), and quoted or replied-to text is not part of `msg.text`, so it is never scanned.
 */
export function isMentioned(msg: InboundMessage, patterns: readonly RegExp[]): boolean {
  if (msg.edited || msg.forwarded) return false;
  if (msg.mention.entity || msg.mention.replyToBot) return true;
  if (patterns.length === 0) return false;
  const text = mentionText(msg.text);
  return patterns.some((re) => re.test(text));
}
