/**
 * `logs.tail`: the tail of the gateway's own JSON-lines log, redacted, in OpenClaw's shape
 * `{file, cursor, size, lines, truncated, reset}`. `cursor` is a byte offset: pass it back to get
 * only what was appended since; a cursor past the end (the file was rotated) resets to the tail.
 */
import { open, stat } from "node:fs/promises";
import { z } from "zod";
import type { MethodRegistry } from "../method-registry.js";

/** Params (OpenClaw LogsTailParams). */
export const logsTailParamsSchema = z
  .strictObject({
    cursor: z.int().min(0).optional(),
    limit: z.int().min(1).max(5000).optional(),
    maxBytes: z.int().min(1).max(1_000_000).optional(),
  })
  .optional();

/** Result (OpenClaw LogsTailResult). */
export interface LogsTailResult {
  file: string;
  cursor: number;
  size: number;
  lines: string[];
  truncated: boolean;
  reset: boolean;
}

const DEFAULT_LIMIT = 500;
const DEFAULT_MAX_BYTES = 250_000;

/** Reads the tail of `file`. Missing file: empty result at cursor 0. */
export async function tailLog(
  file: string | undefined,
  params: z.infer<typeof logsTailParamsSchema>,
  redact: (text: string) => string,
): Promise<LogsTailResult> {
  const limit = params?.limit ?? DEFAULT_LIMIT;
  const maxBytes = params?.maxBytes ?? DEFAULT_MAX_BYTES;
  const empty = { file: file ?? "none", cursor: 0, size: 0, lines: [], truncated: false, reset: false };
  if (file === undefined) return empty;
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) return empty;
    size = s.size;
  } catch {
    return empty;
  }
  const reset = params?.cursor !== undefined && params.cursor > size;
  const from = params?.cursor === undefined || reset ? Math.max(0, size - maxBytes) : params.cursor;
  let start = Math.max(from, size - maxBytes);
  let truncated = start > from;
  const handle = await open(file, "r");
  let text: string;
  try {
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    text = buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
  // Starting mid-file (not at a caller's cursor or 0): drop the partial first line.
  if (start > 0 && start !== params?.cursor) {
    const nl = text.indexOf("\n");
    const cut = nl < 0 ? text.length : nl + 1;
    start += Buffer.byteLength(text.slice(0, cut));
    text = text.slice(cut);
    truncated = truncated || cut > 0;
  }
  // Only complete lines; the cursor stops after the last newline so a half-written line comes next time.
  const lastNl = text.lastIndexOf("\n");
  const complete = lastNl < 0 ? "" : text.slice(0, lastNl);
  const cursor = start + (lastNl < 0 ? 0 : Buffer.byteLength(text.slice(0, lastNl + 1)));
  let lines = complete === "" ? [] : complete.split("\n");
  if (lines.length > limit) {
    lines = lines.slice(-limit);
    truncated = true;
  }
  return { file, cursor, size, lines: lines.map((l) => redact(l.replace(/\r$/, ""))), truncated, reset };
}

/** Registers `logs.tail` (`operator.read`). */
export function registerLogMethods(
  methods: MethodRegistry,
  deps: { readonly logFile: string | undefined; readonly redact: (text: string) => string },
): void {
  methods.register({
    name: "logs.tail",
    scope: "operator.read",
    params: logsTailParamsSchema,
    handler: (params) => tailLog(deps.logFile, params, deps.redact),
  });
}
