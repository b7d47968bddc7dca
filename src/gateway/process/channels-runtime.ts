/**
 * Wires the messaging channels into a running gateway: a channel manager over the shared store
 * whose inbound messages pass the access gate (src/access), are routed by `bindings[]`
 * (src/routing) and run through the agent service (the `chat.send` code path); the
 * `channels.*`, `pairing.*` and `access.*` methods; hot reload of `channels.*`, `session.*`,
 * `bindings`, `agents` and `access`; and WebChat health from the agent's `chat` events.
 */
import type { PalisadeConfig } from "../../config/index.js";
import type { Store } from "../../store/index.js";
import type { GatewayServer } from "../types.js";
import type { AttachedAgentRuntime } from "./agent-runtime.js";

/** The config sections channels, routing and access control read. */
export type ChannelsRuntimeConfig = Pick<PalisadeConfig, "channels" | "session"> &
  Partial<Pick<PalisadeConfig, "bindings" | "agents" | "access">>;

/** Options of {@link attachChannels}. */
export interface AttachChannelsOptions {
  readonly config: ChannelsRuntimeConfig;
  readonly store: Store;
  readonly agents: Pick<AttachedAgentRuntime, "service" | "defaultAgentId" | "observe"> &
    Partial<Pick<AttachedAgentRuntime, "tools">>;
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
  apply(config: ChannelsRuntimeConfig): void;
  /** The ingress pipeline's queue against its bound (load monitor, `status`). */
  backlog(): ReturnType<import("../../channels/index.js").ChannelPipeline["stats"]>;
  close(): Promise<void>;
  /** The channel manager (tests wait on its pipeline). */
  readonly manager: import("../../channels/index.js").ChannelManager;
  /** The access gate (pairing, roles). */
  readonly access: import("../../access/index.js").AccessGate;
}

/**
 * Starts WebChat and every enabled channel account, resuming unfinished inbox messages. Invalid
 * channel settings (a missing token, webhook mode without a secret) throw before anything runs.
 */
export async function attachChannels(opts: AttachChannelsOptions): Promise<AttachedChannels> {
  const { ChannelManager, agentServicePort } = await import("../../channels/index.js");
  const { registerChannelMethods } = await import("../methods/channels.js");
  const { AccessGate } = await import("../../access/index.js");
  const { bindingRouter } = await import("../../routing/index.js");
  const { registerPairingMethods } = await import("../methods/pairing.js");
  const { registerAccessMethods } = await import("../methods/access.js");
  const logger = opts.logger.child({ module: "channels" });
  const notify = async (t: { channel: string; accountId: string; chatId: string }, text: string) => {
    const adapter = manager.registry.get(t.channel, t.accountId);
    if (adapter === undefined) throw new Error(`channel ${t.channel}/${t.accountId} is not running`);
    await adapter.send({ chatId: t.chatId }, text);
  };
  const access = new AccessGate({
    store: opts.store,
    config: opts.config,
    defaultAgentId: opts.agents.defaultAgentId,
    notify,
    logger: opts.logger.child({ module: "access" }),
  });
  const manager = new ChannelManager({
    store: opts.store,
    agent: agentServicePort(opts.agents.service),
    logger,
    config: opts.config,
    defaultAgentId: opts.agents.defaultAgentId,
    redact: opts.redact,
    overload: opts.overload,
    gate: access.hook,
    router: (c, defaultAgentId) =>
      bindingRouter({
        bindings: c.bindings,
        defaultAgentId,
        dmScope: c.session?.dmScope,
        mainKey: c.session?.mainKey,
        identityLinks: c.session?.identityLinks,
      }),
  });
  opts.agents.observe((event, payload) => manager.observe(event, payload));
  // The `message` tool sends through the running channel accounts (its policy is checked first).
  opts.agents.tools?.setMessageSender(manager.sender);
  await manager.start();
  let applying = Promise.resolve();
  return {
    manager,
    access,
    attach(server) {
      registerChannelMethods(server.methods, manager);
      registerPairingMethods(server.methods, { pairing: access.pairing, notify });
      registerAccessMethods(server.methods, access.roles);
    },
    apply(config) {
      access.apply(config);
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
