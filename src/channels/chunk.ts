/** How {@link chunkText} splits. */
export type ChunkMode = "length" | "newline";

const FENCE = "```";
/** Room kept for closing and reopening a code fence across a split. */
const FENCE_RESERVE = FENCE.length * 2 + 2;

/**
 * The best place to cut `text` at or before `limit`: the last paragraph break, else line
 * break, else sentence end, else space; a hard cut (never inside a surrogate pair) when the
 * piece has none of these in its second half, so chunks do not become tiny.
 */
function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  const floor = Math.floor(limit / 2);
  const para = window.lastIndexOf("\n\n");
  if (para >= floor) return para;
  const line = window.lastIndexOf("\n");
  if (line >= floor) return line;
  let sentence = -1;
  for (const m of window.matchAll(/[.!?。！？](?=\s)/g)) sentence = m.index + 1;
  if (sentence >= floor) return sentence;
  const space = window.lastIndexOf(" ");
  if (space >= floor) return space;
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

function openFence(text: string): boolean {
  let open = false;
  for (const line of text.split("\n")) if (line.trimStart().startsWith(FENCE)) open = !open;
  return open;
}

function splitLength(text: string, limit: number): string[] {
  const out: string[] = [];
  let rest = text;
  let reopen = "";
  while (rest.length > 0) {
    rest = reopen + rest;
    if (rest.length <= limit) {
      out.push(rest);
      break;
    }
    const budget = Math.max(1, limit - FENCE_RESERVE);
    let cut = cutPoint(rest, budget);
    if (cut <= reopen.length) cut = budget;
    let piece = rest.slice(0, cut).trimEnd();
    rest = rest.slice(cut).replace(/^\s+/, "");
    reopen = "";
    if (openFence(piece)) {
      piece += `\n${FENCE}`;
      reopen = `${FENCE}\n`;
    }
    if (piece.trim() !== "") out.push(piece);
  }
  return out;
}

/**
 * Splits a reply into messages of at most `limit` characters on safe boundaries (paragraph,
 * line, sentence, word; a hard cut only when a piece has none). A code fence cut in two is
 * closed and reopened so each message renders on its own. `newline` mode first splits at
 * every blank line (paragraphs become separate messages), then by length. Empty text gives [].
 */
export function chunkText(text: string, limit: number, mode: ChunkMode = "length"): string[] {
  const max = Math.max(FENCE_RESERVE + 1, Math.trunc(limit));
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (mode === "length") return splitLength(trimmed, max);
  const paras = trimmed.split(/\n\s*\n/).filter((p) => p.trim() !== "");
  return paras.flatMap((p) => splitLength(p.trim(), max));
}
