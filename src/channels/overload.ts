import type { InboxRow, InboxStore, OutboxStore } from "../store/index.js";
import { deliverReply } from "./outbound.js";
import type { PipelineLogger } from "./pipeline.js";
import { type ChannelAdapter, inboundMessageSchema } from "./types.js";

/** The default busy notice. */
export const BUSY_TEXT = "I'm busy right now and could not take this message; please try again shortly.";

/** The pipeline's stage name in readiness and `status` while its own backlog is full. */
export const BACKLOG_STAGE = "channel-backlog";

/** Conversations remembered for the busy cooldown; the memory is cleared past this many. */
const MAX_NOTICED = 10_000;

/** What {@link OverloadRefuser} works with (a subset of the pipeline's dependencies). */
export interface OverloadRefuserDeps {
  readonly inbox: InboxStore;
  readonly outbox: OutboxStore;
  readonly logger: PipelineLogger;
  /** The conversation a row belongs to; the cooldown is per conversation. */
  readonly key: (row: InboxRow) => string;
  /** What a refused sender is told. Default {@link BUSY_TEXT}. */
  readonly busyText?: string | undefined;
  /** At most one notice per conversation in this many ms. Default 60,000. */
  readonly busyCooldownMs?: number | undefined;
  readonly redact?: ((text: string) => string) | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * Refuses persisted messages while the gateway is overloaded, instead of queueing them without
 * bound: the row ends as dropped (never run), and the sender is told once per conversation per
 * cooldown (later refusals in the cooldown are silent, so a flood gets one notice, not one per
 * message). The notice goes through the outbox like any reply, so it is sent at most once; a
 * crash before the drop leaves the row open and it is processed normally on the next start.
 */
export class OverloadRefuser {
  readonly #deps: OverloadRefuserDeps;
  readonly #noticed = new Map<string, number>();
  #refused = 0;

  constructor(deps: OverloadRefuserDeps) {
    this.#deps = deps;
  }

  /** Messages refused since start. */
  get refused(): number {
    return this.#refused;
  }

  /** Refuses `row` because `stage` is overloaded; `adapter` undefined: dropped without notice. */
  refuse(row: InboxRow, stage: string, adapter: ChannelAdapter | undefined): void {
    const { inbox, outbox, logger } = this.#deps;
    const reason = `overloaded: ${stage}`;
    this.#refused++;
    const now = (this.#deps.now ?? Date.now)();
    const key = this.#deps.key(row);
    const last = this.#noticed.get(key);
    const cooling = last !== undefined && now - last < (this.#deps.busyCooldownMs ?? 60_000);
    if (cooling || adapter === undefined) {
      inbox.drop(row.id, reason);
      return;
    }
    if (this.#noticed.size >= MAX_NOTICED) this.#noticed.clear();
    this.#noticed.set(key, now);
    logger.warn(
      { channel: row.channel, accountId: row.accountId, inboxId: row.id, stage },
      "overloaded; refusing",
    );
    const msg = inboundMessageSchema.parse(row.payload);
    const redact = this.#deps.redact ?? ((t: string) => t);
    deliverReply(adapter, outbox, row.id, msg, this.#deps.busyText ?? BUSY_TEXT)
      .catch((err: unknown) => {
        const detail = redact(err instanceof Error ? err.message : String(err));
        logger.warn({ channel: row.channel, inboxId: row.id, detail }, "busy notice not sent");
      })
      .finally(() => {
        try {
          inbox.drop(row.id, reason);
        } catch {
          // The store stayed busy: the row is still open and runs normally on the next start.
        }
      });
  }
}
