import type { PalisadeConfig } from "../config/index.js";
import { PalisadeError } from "../core/errors.js";
import {
  createInboxStore,
  createOutboxStore,
  type InboxCounts,
  type InboxRow,
  type Store,
} from "../store/index.js";
import type { AgentRunPort } from "./agent-port.js";
import { allowAllGate, defaultRouter, type GateHook, type RouteFn } from "./gate.js";
import { ChannelPipeline, type PipelineLogger } from "./pipeline.js";
import { ChannelRegistry } from "./registry.js";
import { ChannelSender } from "./send-api.js";
import { resolveTelegramAccounts, type TelegramAccountSettings } from "./telegram/config.js";
import type { ChannelAdapter, ChannelHealth } from "./types.js";
import { WebchatAdapter } from "./webchat/adapter.js";

/** One row of `channels.status`: health plus the inbox of that account. */
export interface ChannelStatus extends ChannelHealth {
  readonly inbox: InboxCounts;
}

/** The config sections the channels read (bindings, agents and access for routing and the gate). */
export type ChannelsConfigView = Pick<PalisadeConfig, "channels" | "session"> &
  Partial<Pick<PalisadeConfig, "bindings" | "agents" | "access">>;

/** Options of {@link ChannelManager}. */
export interface ChannelManagerOptions {
  readonly store: Store;
  readonly agent: AgentRunPort;
  readonly logger: PipelineLogger;
  readonly config: ChannelsConfigView;
  readonly defaultAgentId: string;
  /** Access gate (src/access); default allow-all. */
  readonly gate?: GateHook | undefined;
  /** Builds the router from config (src/routing's bindings router); default {@link defaultRouter}. */
  readonly router?: ((config: ChannelsConfigView, defaultAgentId: string) => RouteFn) | undefined;
  /** Redacts error text before it is stored or logged. */
  readonly redact?: ((text: string) => string) | undefined;
  /** Bot API HTTP client (tests). */
  readonly fetch?: typeof fetch | undefined;
  readonly now?: () => number;
  /**
   * Overload hook: the overloaded stage (e.g. the agent's full run queue) while new inbound
   * messages must be refused with a busy notice. Default never.
   */
  readonly overload?: (() => string | undefined) | undefined;
  /** Inbound messages queued or in progress before new ones are refused. Default 10,000. */
  readonly maxBacklog?: number | undefined;
}

interface Running {
  readonly adapter: ChannelAdapter;
  /** Settings fingerprint: a changed one restarts the adapter on reload. */
  readonly key: string;
  readonly maxAttempts: number;
}

/**
 * Builds, starts and stops the channel adapters from config, owns the ingress pipeline and
 * answers `channels.status`. A config reload restarts only the accounts whose settings
 * changed. Adapters never crash the gateway: they record failures in their health.
 */
export class ChannelManager {
  readonly #o: ChannelManagerOptions;
  readonly #registry = new ChannelRegistry();
  readonly #running = new Map<string, Running>();
  readonly #sender = new ChannelSender(this.#registry);
  readonly #webchat: WebchatAdapter;
  readonly #pipeline: ChannelPipeline;
  readonly #inbox;
  #config: ChannelsConfigView;
  #gate: GateHook;
  #route: RouteFn;
  #defaultAttempts: number;

  constructor(o: ChannelManagerOptions) {
    this.#o = o;
    this.#config = o.config;
    this.#gate = o.gate ?? allowAllGate;
    this.#route = this.#router(o.config);
    this.#defaultAttempts = o.config.channels?.defaults?.maxAttempts ?? 5;
    this.#inbox = createInboxStore(o.store, o.now === undefined ? {} : { now: o.now });
    this.#webchat = new WebchatAdapter(o.now === undefined ? {} : { now: o.now });
    this.#pipeline = new ChannelPipeline({
      inbox: this.#inbox,
      outbox: createOutboxStore(o.store, o.now === undefined ? {} : { now: o.now }),
      agent: o.agent,
      gate: () => this.#gate,
      route: () => this.#route,
      adapter: (channel, account) => this.#running.get(`${channel}:${account}`)?.adapter,
      logger: o.logger,
      maxAttempts: (channel, account) =>
        this.#running.get(`${channel}:${account}`)?.maxAttempts ?? this.#defaultAttempts,
      maxConcurrent: o.config.channels?.defaults?.maxConcurrent,
      redact: o.redact,
      overload: o.overload,
      maxBacklog: o.maxBacklog,
      ...(o.now === undefined ? {} : { now: o.now }),
    });
  }

  /** The ingress pipeline (tests and benches wait on it). */
  get pipeline(): ChannelPipeline {
    return this.#pipeline;
  }

  /** Adapters by channel and account. */
  get registry(): ChannelRegistry {
    return this.#registry;
  }

  /** Sends outside replies (the `message` tool's port); the caller applies the target policy. */
  get sender(): ChannelSender {
    return this.#sender;
  }

  /** Records `chat` events for WebChat health (wire it to the agent runtime's events). */
  observe(event: string, payload: Record<string, unknown>): void {
    this.#webchat.observe(event, payload);
  }

  /** Replaces the access gate (issue 7). */
  setGate(gate: GateHook): void {
    this.#gate = gate;
  }

  #router(config: ChannelsConfigView): RouteFn {
    if (this.#o.router !== undefined) return this.#o.router(config, this.#o.defaultAgentId);
    const s = config.session;
    return defaultRouter({
      defaultAgentId: this.#o.defaultAgentId,
      dmScope: s?.dmScope,
      mainKey: s?.mainKey,
      identityLinks: s?.identityLinks,
    });
  }

  /**
   * Validates channel settings (a missing token throws PAL_CHANNEL_TOKEN_MISSING), starts
   * WebChat and every enabled account, then resumes unfinished inbox messages.
   */
  async start(): Promise<void> {
    const telegram = resolveTelegramAccounts(this.#config.channels);
    await this.#startOne(this.#webchat, "webchat", this.#defaultAttempts);
    for (const s of telegram) await this.#startTelegram(s);
    const resumed = this.#pipeline.resume();
    if (resumed > 0) this.#o.logger.info({ resumed }, "resuming unfinished channel messages");
  }

  async #startOne(adapter: ChannelAdapter, key: string, maxAttempts: number): Promise<void> {
    const id = `${adapter.channel}:${adapter.accountId}`;
    this.#running.set(id, { adapter, key, maxAttempts });
    this.#registry.set(adapter);
    await adapter.start(this.#pipeline);
    this.#o.logger.info({ channel: adapter.channel, accountId: adapter.accountId }, "channel started");
  }

  async #startTelegram(s: TelegramAccountSettings): Promise<void> {
    // grammY loads with the first enabled Telegram account (at start or on a hot reload).
    const { TelegramAdapter } = await import("./telegram/adapter.js");
    const adapter = new TelegramAdapter({
      settings: s,
      logger: this.#o.logger,
      fetch: this.#o.fetch,
      ...(this.#o.now === undefined ? {} : { now: this.#o.now }),
    });
    return this.#startOne(adapter, JSON.stringify(s), s.maxAttempts);
  }

  async #stopOne(id: string): Promise<void> {
    const r = this.#running.get(id);
    if (r === undefined) return;
    this.#running.delete(id);
    this.#registry.delete(r.adapter.channel, r.adapter.accountId);
    await r.adapter.stop();
    this.#o.logger.info({ channel: r.adapter.channel, accountId: r.adapter.accountId }, "channel stopped");
  }

  /**
   * Applies a changed config (hot reload): routing and defaults at once; accounts whose
   * settings changed are restarted, removed ones stopped, new ones started. Invalid channel
   * settings keep the running adapters and throw.
   */
  async apply(config: ChannelsConfigView): Promise<void> {
    const telegram = resolveTelegramAccounts(config.channels);
    this.#config = config;
    this.#route = this.#router(config);
    this.#defaultAttempts = config.channels?.defaults?.maxAttempts ?? 5;
    const wanted = new Map(telegram.map((s) => [`telegram:${s.accountId}`, s]));
    for (const [id, r] of [...this.#running]) {
      if (r.adapter.channel !== "telegram") continue;
      const s = wanted.get(id);
      if (s === undefined || JSON.stringify(s) !== r.key) await this.#stopOne(id);
    }
    for (const [id, s] of wanted) if (!this.#running.has(id)) await this.#startTelegram(s);
    this.#pipeline.resume();
  }

  /** Health and inbox counts of every configured account (WebChat first). */
  status(): ChannelStatus[] {
    return this.#registry.list().map((a) => ({
      ...a.health(),
      inbox: this.#inbox.counts(a.channel, a.accountId),
    }));
  }

  /** Dead-lettered messages, newest first. */
  deadLetters(opts: { channel?: string; limit?: number } = {}): InboxRow[] {
    return this.#inbox.deadLetters(opts);
  }

  /** Puts a dead letter back in the queue; false when `id` is not a dead letter. */
  requeue(id: number): boolean {
    const ok = this.#inbox.requeue(id);
    if (ok) this.#pipeline.resume();
    return ok;
  }

  /** Stops reading (adapters first), then the pipeline; unfinished messages resume on start. */
  async stop(): Promise<void> {
    this.#pipeline.close();
    for (const id of [...this.#running.keys()]) {
      await this.#stopOne(id).catch((err: unknown) => {
        const detail = err instanceof PalisadeError ? err.message : "stop failed";
        this.#o.logger.warn({ id, detail }, "channel stop failed");
      });
    }
  }
}
