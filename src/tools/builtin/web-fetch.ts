/** `web_fetch` (parameters url, extractMode, maxChars): a public page as readable text. */
import { z } from "zod";
import { defineTool, type Tool } from "../../agent/index.js";
import type { ToolDeps } from "../context.js";
import { htmlToText } from "../net/html-text.js";
import { safeFetch } from "../net/safe-fetch.js";

/** The web_fetch tool. */
export function webFetchTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "web_fetch",
    description:
      "Fetch a public http(s) URL and return its readable text. Private and local addresses are refused.",
    params: z
      .object({
        url: z.string().min(1).max(8192).describe("http or https URL."),
        extractMode: z
          .enum(["markdown", "text"])
          .optional()
          .describe("Output form (both give plain readable text)."),
        maxChars: z.int().min(100).max(1_000_000).optional().describe("Most characters returned."),
      })
      .strict(),
    async execute(ctx, args) {
      const cfg = deps.config().tools?.web?.fetch;
      const r = await safeFetch(args.url, {
        resolve: deps.resolve,
        addressPolicy: deps.addressPolicy,
        maxBytes: cfg?.maxBytes ?? 2 * 1024 * 1024,
        timeoutMs: (cfg?.timeoutSeconds ?? 30) * 1000,
        maxRedirects: cfg?.maxRedirects ?? 5,
        signal: ctx.signal,
      });
      const raw = r.body.toString("utf8");
      const html = /html|xml/i.test(r.contentType) || /^\s*<(!doctype|html)/i.test(raw);
      const { title, text } = html ? htmlToText(raw) : { title: "", text: raw };
      const max = Math.min(args.maxChars ?? Number.POSITIVE_INFINITY, cfg?.maxChars ?? 50_000);
      return {
        url: args.url,
        finalUrl: r.url,
        status: r.status,
        contentType: r.contentType.slice(0, 100),
        title,
        text: text.slice(0, max),
        truncated: r.truncated || text.length > max,
      };
    },
  });
}
