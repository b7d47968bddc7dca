import type { Api } from "grammy";
import type { Update } from "grammy/types";
import { PalisadeError } from "../../core/errors.js";
import { type BackoffOptions, backoffDelay, sleep } from "../backoff.js";
import { HealthTracker } from "../health.js";
import type { PipelineLogger } from "../pipeline.js";
import type { ChannelAdapter, ChannelHealth, InboundSink, OutboundTarget, SentMessage } from "../types.js";
import {
  apiSignal,
  callWithRetry,
  createTelegramApi,
  retryAfterOf,
  scrubToken,
  toChannelError,
} from "./api.js";
import { TELEGRAM_MAX_TEXT, type TelegramAccountSettings } from "./config.js";
import { isParseError, markdownToTelegramHtml } from "./format.js";
import { ALLOWED_UPDATES, type BotIdentity, normalizeUpdate } from "./normalize.js";
import { startWebhookServer, type WebhookServer } from "./webhook.js";

/** Options of {@link TelegramAdapter}. */
export interface TelegramAdapterOptions {
  readonly settings: TelegramAccountSettings;
  readonly logger: PipelineLogger;
  /** Reconnect backoff after a failed poll. Default 500 ms doubling to 30 s, with jitter. */
  readonly reconnect?: BackoffOptions | undefined;
  readonly fetch?: typeof fetch | undefined;
  readonly now?: () => number;
}

type SendOther = Record<string, unknown>;

/**
 * Telegram through grammY's `Api` client. Long polling is driven here, not by `bot.start()`:
 * each getUpdates batch is persisted by the sink before the next call advances the offset,
 * because getUpdates with `offset = last + 1` is what confirms updates to Telegram. grammY's
 * built-in poller would confirm a batch as soon as its handlers ran, whatever they did.
 * A failing poll never throws out: it is recorded in health and retried with backoff.
 */
export class TelegramAdapter implements ChannelAdapter {
  readonly channel = "telegram";
  readonly accountId: string;
  readonly limits: TelegramAccountSettings["limits"];
  readonly #s: TelegramAccountSettings;
  readonly #api: Api;
  readonly #log: PipelineLogger;
  readonly #health: HealthTracker;
  readonly #now: () => number;
  readonly #reconnect: BackoffOptions;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #bot: BotIdentity | undefined;
  #pausedUntil = 0;
  #webhook: WebhookServer | undefined;

  constructor(opts: TelegramAdapterOptions) {
    this.#s = opts.settings;
    this.accountId = opts.settings.accountId;
    this.limits = opts.settings.limits;
    this.#log = opts.logger;
    this.#now = opts.now ?? Date.now;
    this.#reconnect = opts.reconnect ?? {};
    const token = opts.settings.token;
    this.#api = createTelegramApi({ ...opts.settings, fetch: opts.fetch });
    const mode = opts.settings.webhook === undefined ? "polling" : "webhook";
    this.#health = new HealthTracker(
      { channel: "telegram", accountId: this.accountId, mode },
      { now: this.#now, redact: (t) => scrubToken(t, token) },
    );
  }

  async start(sink: InboundSink): Promise<void> {
    this.#stop = new AbortController();
    this.#health.running(true);
    this.#loop = this.#run(sink, this.#stop.signal).catch((err: unknown) => {
      this.#health.error(err, true);
      this.#log.error({ ...this.#ids(), detail: this.#scrub(err) }, "telegram reader stopped");
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#webhook?.close();
    this.#webhook = undefined;
    this.#health.running(false);
  }

  health(): ChannelHealth {
    return this.#health.snapshot();
  }

  #ids() {
    return { channel: "telegram", accountId: this.accountId };
  }

  #scrub(err: unknown): string {
    return scrubToken(err instanceof Error ? err.message : String(err), this.#s.token);
  }

  async #failed(err: unknown, failures: number, what: string, signal: AbortSignal): Promise<void> {
    const e = err instanceof PalisadeError ? err : toChannelError(err, what, this.#s.token);
    this.#health.error(e, true);
    this.#health.reconnecting();
    const delay = Math.max(backoffDelay(failures - 1, this.#reconnect), (retryAfterOf(err) ?? 0) * 1000);
    this.#log.warn(
      { ...this.#ids(), detail: e.message, retryInMs: delay, failures },
      "telegram reconnecting",
    );
    await sleep(delay, signal);
  }

  async #run(sink: InboundSink, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted && this.#bot === undefined) {
      try {
        const me = await this.#api.getMe(apiSignal(signal));
        this.#bot = { id: me.id, username: me.username };
        this.#health.identify({ id: String(me.id), username: me.username });
        this.#health.success();
      } catch (err) {
        if (signal.aborted) return;
        await this.#failed(err, ++failures, "getMe", signal);
      }
    }
    if (signal.aborted) return;
    if (this.#s.webhook !== undefined) return this.#startWebhook(sink);
    await this.#api.deleteWebhook({}, apiSignal(signal)).catch(() => {});
    await this.#poll(sink, signal);
  }

  async #poll(sink: InboundSink, signal: AbortSignal): Promise<void> {
    const bot = this.#bot as BotIdentity;
    let offset: number | undefined;
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await this.#api.getUpdates(
          {
            ...(offset === undefined ? {} : { offset }),
            timeout: this.#s.pollTimeoutSeconds,
            limit: 100,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          apiSignal(signal),
        );
        this.#health.success();
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        await this.#failed(err, ++failures, "getUpdates", signal);
        continue;
      }
      if (updates.length === 0) continue;
      const msgs = updates.flatMap((u) => normalizeUpdate(u, this.accountId, bot) ?? []);
      try {
        // Persisted before the offset moves: the next getUpdates confirms this batch.
        if (msgs.length > 0) await sink.receive(msgs);
      } catch (err) {
        this.#log.error(
          { ...this.#ids(), detail: this.#scrub(err) },
          "inbox write failed; updates stay unconfirmed",
        );
        await sleep(backoffDelay(failures++, this.#reconnect), signal);
        continue;
      }
      if (msgs.length > 0) this.#health.inbound();
      offset = (updates.at(-1) as Update).update_id + 1;
    }
  }

  async #startWebhook(sink: InboundSink): Promise<void> {
    const wh = this.#s.webhook;
    if (wh === undefined) return;
    const bot = this.#bot as BotIdentity;
    this.#webhook = await startWebhookServer({
      host: wh.host,
      port: wh.port,
      path: wh.path,
      secret: wh.secret,
      onUpdate: async (u) => {
        const msg = normalizeUpdate(u, this.accountId, bot);
        if (msg !== undefined) await sink.receive([msg]);
        this.#health.success();
        if (msg !== undefined) this.#health.inbound();
      },
      onRefused: (reason) => this.#log.warn({ ...this.#ids(), reason }, "telegram webhook request refused"),
    });
    await this.#call("setWebhook", () =>
      this.#api.setWebhook(wh.url, { secret_token: wh.secret, allowed_updates: [...ALLOWED_UPDATES] }),
    );
    this.#health.success();
  }

  #call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    return callWithRetry(fn, {
      method,
      token: this.#s.token,
      before: async () => {
        const wait = this.#pausedUntil - this.#now();
        if (wait > 0) await sleep(wait);
      },
      onRateLimit: (s) => {
        this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + s * 1000);
        this.#log.warn({ ...this.#ids(), method, retryAfterSeconds: s }, "telegram rate limit; waiting");
      },
    });
  }

  #other(target: OutboundTarget, reply: boolean): SendOther {
    return {
      ...(target.threadId === undefined ? {} : { message_thread_id: Number(target.threadId) }),
      ...(reply && target.replyTo !== undefined
        ? { reply_parameters: { message_id: Number(target.replyTo), allow_sending_without_reply: true } }
        : {}),
    };
  }

  /** Sends `text` as HTML when it renders within the cap, falling back to plain text when refused. */
  async #formatted<T>(text: string, send: (body: string, other: SendOther) => Promise<T>): Promise<T> {
    if (this.limits.format === "html") {
      const html = markdownToTelegramHtml(text);
      if (html.length <= TELEGRAM_MAX_TEXT) {
        try {
          return await send(html, { parse_mode: "HTML" });
        } catch (err) {
          const detail = err instanceof PalisadeError ? String(err.params.detail ?? "") : "";
          if (!(err instanceof PalisadeError && err.code === "PAL_CHANNEL_REJECTED" && isParseError(detail)))
            throw err;
          this.#log.warn({ ...this.#ids(), detail }, "telegram refused markup; sending plain text");
        }
      }
    }
    return send(text.slice(0, TELEGRAM_MAX_TEXT), {});
  }

  async send(target: OutboundTarget, text: string): Promise<SentMessage> {
    try {
      const msg = await this.#formatted(text, (body, fmt) =>
        this.#call("sendMessage", () =>
          this.#api.sendMessage(target.chatId, body, { ...this.#other(target, true), ...fmt }),
        ),
      );
      this.#health.outbound();
      return { id: String(msg.message_id) };
    } catch (err) {
      this.#health.error(err, false);
      throw err;
    }
  }

  async edit(target: OutboundTarget, messageId: string, text: string): Promise<void> {
    try {
      await this.#formatted(text, (body, fmt) =>
        this.#call("editMessageText", () =>
          this.#api.editMessageText(target.chatId, Number(messageId), body, fmt).catch((err: unknown) => {
            if (err instanceof Error && /message is not modified/i.test(err.message)) return true;
            throw err;
          }),
        ),
      );
      this.#health.outbound();
    } catch (err) {
      this.#health.error(err, false);
      throw err;
    }
  }

  async typing(target: OutboundTarget): Promise<void> {
    // One try, no waiting: a typing indicator is not worth holding a flood-control slot for.
    try {
      await this.#api.sendChatAction(target.chatId, "typing", this.#other(target, false));
    } catch (err) {
      throw toChannelError(err, "sendChatAction", this.#s.token);
    }
  }
}
