/** Tags Telegram's HTML parse mode accepts. */
const ALLOWED = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
]);

/**
 * Checks text the way the Bot API's HTML mode does, closely enough for tests: only supported
 * tags, properly nested and closed, and `&` only as a named or numeric entity. Returns the Bot
 * API's error description, or undefined when the markup parses.
 */
export function htmlError(text: string): string | undefined {
  const stack: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-zA-Z-]*)[^>]*>|&(#?\w+;)?|<|>/g)) {
    const whole = m[0];
    if (whole.startsWith("&")) {
      if (m[3] === undefined)
        return `Bad Request: can't parse entities: unsupported entity at byte offset ${m.index}`;
      continue;
    }
    if (whole === "<" || whole === ">") {
      return `Bad Request: can't parse entities: unexpected "${whole}" at byte offset ${m.index}`;
    }
    const name = (m[2] ?? "").toLowerCase();
    if (!ALLOWED.has(name)) {
      return `Bad Request: can't parse entities: unsupported start tag "${name}" at byte offset ${m.index}`;
    }
    if (m[1] === "/") {
      if (stack.pop() !== name) {
        return `Bad Request: can't parse entities: can't find end tag corresponding to start tag "${name}"`;
      }
    } else stack.push(name);
  }
  if (stack.length > 0) {
    return `Bad Request: can't parse entities: can't find end tag corresponding to start tag "${stack.at(-1)}"`;
  }
  return undefined;
}

/** Visible text of HTML-mode markup (tags dropped, entities decoded), to measure its length. */
export function htmlText(text: string): string {
  return text
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}
