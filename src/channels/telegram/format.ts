/** Escapes text for Telegram's HTML parse mode (only `&`, `<`, `>` are special). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const escapeAttr = (text: string) => escapeHtml(text).replace(/"/g, "&quot;");

const SAFE_URL = /^(https?:\/\/|tg:\/\/|mailto:)/i;

/** Inline Markdown (outside code) on already-escaped text. */
function inline(escaped: string): string {
  return escaped
    .replace(/\[([^\]\n]+)\]\(([^()\s]+)\)/g, (whole, label: string, url: string) =>
      SAFE_URL.test(url) ? `<a href="${escapeAttr(url.replace(/&amp;/g, "&"))}">${label}</a>` : whole,
    )
    .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, "<b>$1</b>")
    .replace(/__(?=\S)([^\n]*?\S)__/g, "<b>$1</b>")
    .replace(/~~(?=\S)([^\n]*?\S)~~/g, "<s>$1</s>")
    .replace(/(^|[\s(])\*(?=\S)([^*\n]*?\S)\*(?=$|[\s).,!?:;])/g, "$1<i>$2</i>")
    .replace(/(^|[\s(])_(?=\S)([^_\n]*?\S)_(?=$|[\s).,!?:;])/g, "$1<i>$2</i>")
    .replace(/^#{1,6}\s+(.+)$/gm, "<b>$1</b>");
}

function withInlineCode(text: string): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    out += inline(escapeHtml(text.slice(last, m.index)));
    out += `<code>${escapeHtml(m[1] ?? "")}</code>`;
    last = m.index + m[0].length;
  }
  return out + inline(escapeHtml(text.slice(last)));
}

/**
 * Renders the Markdown models write (bold, italic, strike, inline code, fenced code, links,
 * headings) as Telegram HTML. Everything else is escaped, so model output can never inject
 * markup; only http(s), tg and mailto links become anchors. Unbalanced markers stay literal.
 */
export function markdownToTelegramHtml(markdown: string): string {
  let out = "";
  let last = 0;
  const fence = /```([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:\n```|$(?![\s\S]))/g;
  for (const m of markdown.matchAll(fence)) {
    out += withInlineCode(markdown.slice(last, m.index));
    const lang = m[1] ?? "";
    const code = escapeHtml(m[2] ?? "");
    out += lang === "" ? `<pre>${code}</pre>` : `<pre><code class="language-${lang}">${code}</code></pre>`;
    last = m.index + m[0].length;
  }
  return out + withInlineCode(markdown.slice(last));
}

/** Whether a Bot API error says the markup could not be parsed (then plain text is sent). */
export function isParseError(description: string): boolean {
  return /can't parse entities|unsupported start tag|can't find end tag|unexpected end tag|entity/i.test(
    description,
  );
}
