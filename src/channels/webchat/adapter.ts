import { fail } from "../../core/errors.js";
import { HealthTracker } from "../health.js";
import type { ChannelAdapter, ChannelHealth, ChannelLimits, OutboundTarget, SentMessage } from "../types.js";

/** WebChat has no platform cap; replies stream as `chat` events. */
const WEBCHAT_LIMITS: ChannelLimits = {
  maxTextLength: 200_000,
  chunkMode: "length",
  format: "plain",
  streaming: true,
  streamThrottleMs: 50,
  replyToMode: "off",
};

/**
 * WebChat as a channel in the registry: chat from WS clients (`chat.send` in, `chat` events
 * out) runs in the gateway itself, through the same agent service, lanes, session keys and
 * idempotency rules as every channel. This adapter exists for the registry and health: it is
 * connected while the gateway serves, and it records chat activity it is told about. Replies
 * never go through `send`: they are the run's `chat` events.
 */
export class WebchatAdapter implements ChannelAdapter {
  readonly channel = "webchat";
  readonly accountId = "default";
  readonly limits = WEBCHAT_LIMITS;
  readonly #health: HealthTracker;

  constructor(opts: { now?: () => number } = {}) {
    this.#health = new HealthTracker({ channel: "webchat", accountId: "default", mode: "internal" }, opts);
  }

  async start(): Promise<void> {
    this.#health.running(true);
    this.#health.success();
  }

  async stop(): Promise<void> {
    this.#health.running(false);
  }

  /** Records a `chat` event of a WebChat run (not of channel runs). */
  observe(event: string, payload: Record<string, unknown>): void {
    if (event !== "chat") return;
    const runId = typeof payload.runId === "string" ? payload.runId : "";
    if (runId.startsWith("channel:")) return;
    if (payload.seq === 0) this.#health.inbound();
    if (payload.state === "final" || payload.state === "error") {
      this.#health.success();
      this.#health.outbound();
    }
  }

  send(_target: OutboundTarget, _text: string): Promise<SentMessage> {
    return Promise.reject(
      fail("PAL_CHANNEL_REJECTED", { channel: "webchat", method: "send", detail: "replies are chat events" }),
    );
  }

  edit(): Promise<void> {
    return Promise.reject(
      fail("PAL_CHANNEL_REJECTED", { channel: "webchat", method: "edit", detail: "replies are chat events" }),
    );
  }

  async typing(): Promise<void> {}

  health(): ChannelHealth {
    return this.#health.snapshot();
  }
}
