/** `process`: lists, polls, reads and kills the background runs exec started in this session. */
import { z } from "zod";
import { defineTool, type Tool } from "../../agent/index.js";
import { callContext, type ToolDeps } from "../context.js";
import { execSummary, processNotFound } from "./exec.js";

const params = z
  .object({
    action: z.enum(["list", "poll", "log", "kill", "clear"]).describe("What to do."),
    sessionId: z.string().min(1).max(32).optional().describe("The background run (from exec)."),
    offset: z.int().min(0).optional().describe("log: first character."),
    limit: z.int().min(1).max(200_000).optional().describe("log: characters."),
  })
  .strict();

/** How long `kill` waits for the run to end before answering, ms. */
const KILL_WAIT_MS = 15_000;

/** The process tool. */
export function processTool(deps: ToolDeps): Tool {
  return defineTool({
    name: "process",
    description:
      "Manage background commands started by exec: list, poll (new output and status), log, kill, clear.",
    params,
    async execute(ctx, args) {
      const call = callContext(deps, ctx);
      if (args.action === "list")
        return deps.processes.list(call.sessionKey).map((r) => ({
          sessionId: r.id,
          command: r.command.slice(0, 200),
          status: r.result === undefined ? "running" : "exited",
          exitCode: r.result?.exitCode ?? null,
          startedAt: new Date(r.startedAt).toISOString(),
        }));
      const id = args.sessionId ?? "";
      const run = deps.processes.get(call.sessionKey, id);
      if (run === undefined) throw processNotFound(id);
      switch (args.action) {
        case "poll": {
          const fresh = run.output.slice(run.polled);
          run.polled = run.output.length;
          return run.result === undefined
            ? { status: "running", output: fresh }
            : { ...execSummary(run.result, "-"), output: fresh };
        }
        case "log": {
          const from = args.offset ?? Math.max(0, run.output.length - (args.limit ?? 20_000));
          return { output: run.output.slice(from, from + (args.limit ?? 20_000)), total: run.output.length };
        }
        case "kill": {
          if (run.result !== undefined) return { sessionId: id, killed: false, status: "already ended" };
          run.ctrl.abort();
          // Answer once the kill took effect (a docker kill restarts the container), so the
          // model's next poll sees the ended run rather than a stale "running"; bounded wait.
          await Promise.race([run.ended, new Promise((r) => setTimeout(r, KILL_WAIT_MS).unref())]);
          return run.result === undefined
            ? { sessionId: id, killed: true, status: "stopping" }
            : { sessionId: id, killed: true, ...execSummary(run.result, "-") };
        }
        default:
          if (run.result === undefined)
            return { sessionId: id, cleared: false, why: "still running; kill it first" };
          deps.processes.remove(id);
          return { sessionId: id, cleared: true };
      }
    },
  });
}
