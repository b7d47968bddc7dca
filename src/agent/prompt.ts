import { lstat, open } from "node:fs/promises";
import { join } from "node:path";

/** Workspace files that make up the system prompt, in order. */
export const WORKSPACE_PROMPT_FILES = ["SOUL.md", "AGENTS.md", "USER.md", "IDENTITY.md", "TOOLS.md"] as const;

/** Options of {@link buildSystemPrompt}. */
export interface SystemPromptOptions {
  /** Text placed before the workspace files (Palisade's own instructions). Default none. */
  readonly preamble?: string;
  /** Cap per file, characters. Default 20_000. */
  readonly maxFileChars?: number;
  /** Cap on the whole prompt, characters. Default 60_000. */
  readonly maxTotalChars?: number;
  /** Files to read, in order. Default {@link WORKSPACE_PROMPT_FILES}. */
  readonly files?: readonly string[];
}

/** What went into the prompt, for `/status` and diagnostics. */
export interface PromptFileReport {
  readonly name: string;
  /** Characters included. */
  readonly chars: number;
  readonly truncated: boolean;
  /** Why the file was left out: missing, not a regular file (symlinks are refused), or no room. */
  readonly skipped?: "missing" | "not-a-file" | "no-room";
}

/** The assembled prompt. */
export interface SystemPrompt {
  readonly text: string;
  readonly files: readonly PromptFileReport[];
}

/**
 * Reads at most `maxChars` characters of a regular file. Symlinks are refused so a link planted
 * in the workspace cannot pull a secret file from elsewhere into the prompt.
 */
async function readCapped(
  path: string,
  maxChars: number,
): Promise<{ text: string; full: boolean } | "missing" | "not-a-file"> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch {
    return "missing";
  }
  if (!st.isFile()) return "not-a-file";
  const fh = await open(path, "r");
  try {
    const maxBytes = maxChars * 4 + 4; // UTF-8: at most 4 bytes per character
    const buf = Buffer.alloc(Math.min(maxBytes, st.size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString("utf8");
    return { text, full: bytesRead >= st.size };
  } finally {
    await fh.close();
  }
}

/**
 * Builds the system prompt from the agent workspace: each present file as a `## NAME` section,
 * each capped, the total capped, missing files skipped. A cut file says so in the prompt.
 */
export async function buildSystemPrompt(
  workspaceDir: string,
  opts: SystemPromptOptions = {},
): Promise<SystemPrompt> {
  const maxFile = opts.maxFileChars ?? 20_000;
  const maxTotal = opts.maxTotalChars ?? 60_000;
  const sections: string[] = [];
  const reports: PromptFileReport[] = [];
  let used = 0;
  if (opts.preamble !== undefined && opts.preamble !== "") {
    const pre = opts.preamble.slice(0, maxTotal);
    sections.push(pre);
    used += pre.length;
  }
  for (const name of opts.files ?? WORKSPACE_PROMPT_FILES) {
    const got = await readCapped(join(workspaceDir, name), maxFile);
    if (got === "missing" || got === "not-a-file") {
      reports.push({ name, chars: 0, truncated: false, skipped: got });
      continue;
    }
    const body = got.text.trim();
    if (body === "") continue;
    const header = `## ${name}\n\n`;
    const room = Math.min(maxFile, maxTotal - used - header.length - 2);
    if (room <= 0) {
      reports.push({ name, chars: 0, truncated: true, skipped: "no-room" });
      continue;
    }
    const truncated = body.length > room || !got.full;
    const note = truncated ? `\n\n[${name} was cut to ${room} characters to fit the prompt budget]` : "";
    const kept = truncated ? body.slice(0, Math.max(0, room - note.length)) : body;
    sections.push(`${header}${kept}${note}`);
    used += header.length + kept.length + note.length + 2;
    reports.push({ name, chars: kept.length, truncated });
  }
  return { text: sections.join("\n\n"), files: reports };
}
