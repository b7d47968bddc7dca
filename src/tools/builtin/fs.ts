/**
 * `read`, `write` and `edit` (OpenClaw's parameters: path; offset/limit in lines; content;
 * oldText/newText), all confined to the workspace jail and size-capped.
 */
import { z } from "zod";
import { defineTool, type Tool } from "../../agent/index.js";
import { fail } from "../../core/errors.js";
import { callContext, type ToolDeps } from "../context.js";
import { readJailed, writeJailed } from "../fs/jail.js";

/** Size caps of the fs tools, defaults applied. */
export function fsLimits(deps: ToolDeps): { maxRead: number; maxWrite: number } {
  const fs = deps.config().tools?.fs;
  return { maxRead: fs?.maxReadBytes ?? 1024 * 1024, maxWrite: fs?.maxWriteBytes ?? 1024 * 1024 };
}

const path = z.string().min(1).max(4096).describe("Path relative to the workspace.");

/** The read tool. */
export function readTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "read",
    description:
      "Read a text file from the workspace. offset (1-based line) and limit (lines) select a range.",
    params: z
      .object({ path, offset: z.int().min(1).optional(), limit: z.int().min(1).max(100_000).optional() })
      .strict(),
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      const { data, size, truncated } = await readJailed(
        await call.jail(),
        args.path,
        fsLimits(deps).maxRead,
        { truncate: true },
      );
      if (data.subarray(0, 8192).includes(0)) return `(binary file, ${size} bytes; not shown)`;
      let text = data.toString("utf8");
      if (args.offset !== undefined || args.limit !== undefined) {
        const lines = text.split("\n");
        const from = (args.offset ?? 1) - 1;
        text = lines.slice(from, args.limit === undefined ? undefined : from + args.limit).join("\n");
      }
      return truncated ? `${text}\n[file is ${size} bytes; only the first ${data.length} were read]` : text;
    },
  });
}

/** The write tool. */
export function writeTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "write",
    description:
      "Create or replace a file in the workspace with the given content (parent dirs are created).",
    params: z.object({ path, content: z.string().describe("The whole new content.") }).strict(),
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      const bytes = await writeJailed(await call.jail(), args.path, args.content, fsLimits(deps).maxWrite);
      return { path: args.path, bytes };
    },
  });
}

/** The edit tool: replaces one exact occurrence of oldText. */
export function editTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "edit",
    description: "Replace exactly one occurrence of oldText with newText in a workspace file.",
    params: z
      .object({
        path,
        oldText: z.string().min(1).describe("Text to find; must occur exactly once."),
        newText: z.string().describe("Replacement."),
      })
      .strict(),
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      const jail = await call.jail();
      const limits = fsLimits(deps);
      const { data } = await readJailed(jail, args.path, limits.maxRead);
      const text = data.toString("utf8");
      const at = text.indexOf(args.oldText);
      const shown = JSON.stringify(args.path.slice(0, 200));
      if (at < 0) throw fail("PAL_TOOL_EDIT_FAILED", { path: shown, detail: "oldText was not found" });
      if (text.indexOf(args.oldText, at + 1) >= 0)
        throw fail("PAL_TOOL_EDIT_FAILED", {
          path: shown,
          detail: "oldText occurs more than once; include more context",
        });
      const next = text.slice(0, at) + args.newText + text.slice(at + args.oldText.length);
      const bytes = await writeJailed(jail, args.path, next, limits.maxWrite);
      return { path: args.path, bytes };
    },
  });
}
