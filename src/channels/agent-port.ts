import type { AgentService, StartedRun } from "../agent/index.js";
import { PalisadeError } from "../core/errors.js";

/** A run for an inbound channel message. */
export interface ChannelRunInput {
  readonly agentId: string;
  readonly sessionKey: string;
  readonly message: string;
  /** Unique per processing attempt of an inbox row. */
  readonly idempotencyKey: string;
  /** The reply text so far, as it streams; without it the model is not asked to stream. */
  readonly onText?: ((textSoFar: string) => void) | undefined;
  /** The gate found the sender to be an owner (may `/approve`). Default false. */
  readonly owner?: boolean | undefined;
  /** On a retry: what every attempt at this message shares (the agent's `retryOf`). */
  readonly retryOf?: string | undefined;
}

/** How a channel run ended: the text to deliver (an apology on failure) and its status. */
export interface ChannelRunResult {
  readonly text: string;
  readonly status: string;
}

/** What the ingress pipeline needs of the agent runtime. */
export interface AgentRunPort {
  run(input: ChannelRunInput): Promise<ChannelRunResult>;
}

/** Longest wait for one channel run, ms (the runtime's own run limit ends it first). */
const RUN_WAIT_MS = 15 * 60_000;

/**
 * The agent service as a channel run port: the same code path as `chat.send` (lanes, session
 * reset rules, transcripts, chat commands, the no-model reply and the apology on provider
 * failure), with the streamed text observed for throttled edits.
 */
export function agentServicePort(service: AgentService): AgentRunPort {
  return {
    async run(input) {
      const onText = input.onText;
      const deadline = Date.now() + RUN_WAIT_MS;
      const started = await startWhenAccepted(service, deadline, {
        agentId: input.agentId,
        sessionKey: input.sessionKey,
        message: input.message,
        idempotencyKey: input.idempotencyKey,
        owner: input.owner === true,
        retryOf: input.retryOf,
        // Without a streaming preview nobody needs the text before it is complete.
        streamed: onText !== undefined,
        observe:
          onText === undefined
            ? undefined
            : (event, payload) => {
                if (event !== "chat" || payload.state !== "delta") return;
                const m = payload.message as { content?: Array<{ text?: unknown }> } | undefined;
                const text = m?.content?.[0]?.text;
                if (typeof text === "string") onText(text);
              },
      });
      const { outcome } = await service.wait(started.runId, Math.max(1, deadline - Date.now()));
      if (outcome === undefined) return { text: "", status: "timeout" };
      return { text: outcome.text, status: outcome.status };
    },
  };
}

/**
 * Starts a run, waiting while the agent's lanes refuse with PAL_AGENT_QUEUE_FULL (for its retry
 * hint, at most until `deadline`): the message is already durable in the inbox, so accepted work
 * waits for room instead of failing attempts towards the dead-letter queue. New inbound work is
 * refused at the pipeline's door instead (its overload hook).
 */
async function startWhenAccepted(
  service: AgentService,
  deadline: number,
  input: Parameters<AgentService["start"]>[0],
): Promise<StartedRun> {
  for (;;) {
    try {
      return service.start(input);
    } catch (err) {
      if (!(err instanceof PalisadeError) || err.code !== "PAL_AGENT_QUEUE_FULL") throw err;
      const wait = Math.min(err.retryAfterMs ?? 1000, deadline - Date.now());
      if (wait <= 0) throw err;
      await new Promise((r) => setTimeout(r, wait).unref());
    }
  }
}
