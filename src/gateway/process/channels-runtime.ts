/**
 * Wires the messaging channels into a running gateway: a channel manager over the shared store
 * whose inbound messages run through the agent service (the `chat.send` code path), the
 * `channels.*` methods, hot reload of `channels.*` and `session.*`, and WebChat health from the
 * agent's `chat` events.
 */
import type { PalisadeConfig } from "../../config/index.js";
import type { Store } from "../../store/index.js";
import type { GatewayServer } from "../types.js";
import type { AttachedAgentRuntime } from "./agent-runtime.js";

/** Options of {@link attachChannels}. */
export interface AttachChannelsOptions {
  readonly config: Pick<PalisadeConfig, "channels" | "session">;
  readonly store: Store;
  readonly agents: Pick<AttachedAgentRuntime, "service" | "defaultAgentId" | "observe">;
  readonly logger: import("pino").Logger;
  /** Redacts error text before it is stored in the inbox or shown. */
  readonly redact: (text: string) => string;
  /** The overloaded stage while new inbound messages must be refused (the load monitor). */
  readonly overload?: (() => string | undefined) | undefined;
}

/** The channels of a gateway process; they outlive in-process server restarts. */
export interface AttachedChannels {
  /** Registers the channel methods on a (re)started server. */
  attach(server: Pick<GatewayServer, "methods">): void;
  /** Applies a reloaded config (restarts only changed accounts); errors are logged, not thrown. */
  apply(config: Pick<PalisadeConfig, "channels" | "session">): void;
  /** The ingress pipeline's queue against its bound (load monitor, `status`). */
  backlog(): ReturnType<import("../../channels/index.js").ChannelPipeline["stats"]>;
  close(): Promise<void>;
}

/**
 * Starts WebChat and every enabled channel account, resuming unfinished inbox messages. Invalid
 * channel settings (a missing token, webhook mode without a secret) throw before anything runs.
 */
export async function attachChannels(opts: AttachChannelsOptions): Promise<AttachedChannels> {
  const { ChannelManager, agentServicePort } = await import("../../channels/index.js");
  const { registerChannelMethods } = await import("../methods/channels.js");
  const logger = opts.logger.child({ module: "channels" });
  const manager = new ChannelManager({
    store: opts.store,
    agent: agentServicePort(opts.agents.service),
    logger,
    config: opts.config,
    defaultAgentId: opts.agents.defaultAgentId,
    redact: opts.redact,
    overload: opts.overload,
  });
  opts.agents.observe((event, payload) => manager.observe(event, payload));
  await manager.start();
  let applying = Promise.resolve();
  return {
    attach(server) {
      registerChannelMethods(server.methods, manager);
    },
    apply(config) {
      applying = applying
        .then(() => manager.apply(config))
        .catch((err: unknown) => {
          logger.error(
            { detail: opts.redact((err as Error).message ?? "") },
            "channel reload failed; kept running ones",
          );
        });
    },
    backlog() {
      return manager.pipeline.stats();
    },
    async close() {
      await applying;
      await manager.stop();
    },
  };
}

/** The channel secrets of a config (bot tokens), for log redaction; unreadable ones are skipped. */
export async function channelSecrets(config: Pick<PalisadeConfig, "channels">): Promise<string[]> {
  if (config.channels?.telegram === undefined) return [];
  const { resolveTelegramAccounts } = await import("../../channels/index.js");
  try {
    return resolveTelegramAccounts(config.channels).map((a) => a.token);
  } catch {
    return [];
  }
}
