/**
 * `message` (OpenClaw's action=send with channel, target, message): sends to a channel target
 * only when `tools.message.allowTargets` lists it ("<channel>:<target>", `*` wildcards).
 */
import { z } from "zod";
import { defineTool, type Tool } from "../../agent/index.js";
import { fail } from "../../core/errors.js";
import { callContext, type ToolDeps } from "../context.js";

const glob = (pat: string, s: string) =>
  new RegExp(
    `^${pat
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  ).test(s);

/** Whether `channel:target` is allowed by the patterns. */
export function messageTargetAllowed(patterns: readonly string[], channel: string, target: string): boolean {
  return patterns.some((p) => glob(p, `${channel}:${target}`));
}

/** The message tool. */
export function messageTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "message",
    description: "Send a message to a channel target the operator allowed (tools.message.allowTargets).",
    params: z
      .object({
        action: z.literal("send").optional().describe("Only send is supported."),
        channel: z.string().min(1).max(64).describe('Channel id, e.g. "telegram".'),
        target: z.string().min(1).max(256).describe("Chat or user id on that channel."),
        message: z.string().min(1).max(20_000).describe("Text to send."),
        accountId: z.string().min(1).max(128).optional(),
      })
      .strict(),
    async execute(ctx, args) {
      callContext(deps, ctx);
      const shown = `${args.channel}:${args.target}`.slice(0, 200);
      const patterns = deps.config().tools?.message?.allowTargets ?? [];
      if (!messageTargetAllowed(patterns, args.channel, args.target))
        throw fail("PAL_TOOL_MESSAGE_REFUSED", {
          target: shown,
          reason: "it is not in tools.message.allowTargets",
        });
      const sender = deps.messageSender();
      if (sender === undefined || !sender.channels().includes(args.channel))
        throw fail("PAL_TOOL_MESSAGE_REFUSED", {
          target: shown,
          reason: `channel ${args.channel} is not running`,
        });
      const r = await sender.send({
        channel: args.channel,
        target: args.target,
        text: args.message,
        accountId: args.accountId,
      });
      return { ok: true, channel: args.channel, target: args.target, messageId: r.messageId ?? null };
    },
  });
}
