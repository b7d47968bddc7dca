/**
 * `apply_patch` (parameter `input`): OpenClaw's patch envelope — `*** Begin Patch`, then
 * `*** Add File: p` (lines prefixed `+`), `*** Delete File: p` or `*** Update File: p` with
 * `@@` hunks of ` `/`-`/`+` lines — `*** End Patch`. Every file goes through the jail; the patch
 * is checked completely before the first file is written.
 */
import { z } from "zod";
import { defineTool, type Tool } from "../../agent/index.js";
import { fail } from "../../core/errors.js";
import { callContext, type ToolDeps } from "../context.js";
import { readJailed, unlinkJailed, writeJailed } from "../fs/jail.js";
import { fsLimits } from "./fs.js";

/** One file operation of a patch. */
export type PatchOp =
  | { kind: "add"; path: string; content: string }
  | { kind: "delete"; path: string }
  | { kind: "update"; path: string; hunks: { old: string[]; new: string[] }[] };

const bad = (detail: string) => fail("PAL_TOOL_EDIT_FAILED", { path: "(patch)", detail });

/** Parses the patch envelope. */
export function parsePatch(input: string): PatchOp[] {
  const lines = input.replace(/\r\n/g, "\n").split("\n");
  while (lines.length > 0 && lines.at(-1)?.trim() === "") lines.pop();
  if (lines[0]?.trim() !== "*** Begin Patch" || lines.at(-1)?.trim() !== "*** End Patch")
    throw bad('the patch must start with "*** Begin Patch" and end with "*** End Patch"');
  const ops: PatchOp[] = [];
  let cur: PatchOp | undefined;
  for (const line of lines.slice(1, -1)) {
    const header = /^\*\*\* (Add|Delete|Update) File: (.+)$/.exec(line);
    if (header) {
      const p = (header[2] ?? "").trim();
      cur =
        header[1] === "Add"
          ? { kind: "add", path: p, content: "" }
          : header[1] === "Delete"
            ? { kind: "delete", path: p }
            : { kind: "update", path: p, hunks: [] };
      ops.push(cur);
      continue;
    }
    if (cur === undefined) throw bad(`unexpected line before a file header: ${line.slice(0, 80)}`);
    if (cur.kind === "add") {
      if (!line.startsWith("+")) throw bad(`added files take only "+" lines (${cur.path})`);
      cur.content += `${line.slice(1)}\n`;
    } else if (cur.kind === "update") {
      if (line.startsWith("@@")) {
        cur.hunks.push({ old: [], new: [] });
        continue;
      }
      if (line === "*** End of File") continue;
      if (cur.hunks.length === 0) cur.hunks.push({ old: [], new: [] });
      const h = cur.hunks.at(-1) as { old: string[]; new: string[] };
      const tag = line[0] ?? " ";
      const body = line.slice(1);
      if (tag === " ") {
        h.old.push(body);
        h.new.push(body);
      } else if (tag === "-") h.old.push(body);
      else if (tag === "+") h.new.push(body);
      else throw bad(`hunk lines start with " ", "-" or "+" (${cur.path})`);
    } else throw bad(`deleted files take no lines (${cur.path})`);
  }
  if (ops.length === 0) throw bad("the patch changes no files");
  return ops;
}

/** Applies the hunks of an update to a file's text. */
export function applyHunks(
  text: string,
  hunks: readonly { old: string[]; new: string[] }[],
  path: string,
): string {
  let out = text;
  let from = 0;
  for (const h of hunks) {
    const oldBlock = h.old.join("\n");
    const at = oldBlock === "" ? out.length : out.indexOf(oldBlock, from);
    if (at < 0)
      throw fail("PAL_TOOL_EDIT_FAILED", {
        path: JSON.stringify(path),
        detail: "a hunk's context was not found",
      });
    const newBlock = h.new.join("\n");
    out = out.slice(0, at) + newBlock + out.slice(at + oldBlock.length);
    from = at + newBlock.length;
  }
  return out;
}

/** The apply_patch tool. */
export function applyPatchTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "apply_patch",
    description:
      "Apply a multi-file patch (*** Begin Patch / *** Add File / *** Update File / *** Delete File / *** End Patch).",
    params: z
      .object({
        input: z
          .string()
          .min(1)
          .max(4 * 1024 * 1024)
          .describe("The patch text."),
      })
      .strict(),
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      const jail = await call.jail();
      const limits = fsLimits(deps);
      const ops = parsePatch(args.input);
      const writes: { path: string; content?: string }[] = [];
      for (const op of ops) {
        if (op.kind === "add") writes.push({ path: op.path, content: op.content });
        else if (op.kind === "delete") {
          await readJailed(jail, op.path, limits.maxRead, { truncate: true });
          writes.push({ path: op.path });
        } else {
          const { data } = await readJailed(jail, op.path, limits.maxRead);
          writes.push({ path: op.path, content: applyHunks(data.toString("utf8"), op.hunks, op.path) });
        }
      }
      for (const w of writes) {
        if (w.content === undefined) await unlinkJailed(jail, w.path);
        else await writeJailed(jail, w.path, w.content, limits.maxWrite);
      }
      return { applied: ops.map((o) => ({ kind: o.kind, path: o.path })) };
    },
  });
}
