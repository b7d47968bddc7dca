import type { InboundMessage } from "../channels/index.js";
import { fail } from "../core/errors.js";
import {
  appendAudit,
  createAllowlistStore,
  createPairingStore,
  createRoleStore,
  type PairingRequestRow,
  type Store,
} from "../store/index.js";
import { generatePairingCode, normalizePairingCode, pairingCodesEqual, type RandomSource } from "./codes.js";
import * as text from "./messages.js";
import type { PairingSettings } from "./settings.js";

/** Most replies one pending sender gets for one request (the first one included). */
export const MAX_PAIRING_REPLIES = 3;
/** Least time between two reminders to the same pending sender, ms. */
export const PAIRING_REMINDER_MS = 15 * 60_000;

/** What pairing decided about a message from a sender who is not allowed. */
export interface PairingOutcome {
  /** Text for the sender, if any (never more than the bounded pairing replies). */
  readonly reply?: string | undefined;
  /** A new request was created: announce it to the owner. */
  readonly created?: PairingRequestRow | undefined;
  /** Why the message was dropped (inbox reason). */
  readonly reason: string;
}

/** A pairing request as `pairing.list` returns it (OpenClaw's request shape plus ours). */
export interface PairingRequestView {
  /** The sender id (OpenClaw's `id`). */
  readonly id: string;
  readonly code: string;
  readonly channel: string;
  readonly accountId: string;
  readonly mode: "code" | "challenge";
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
  readonly attempts: number;
}

/** What an approval or rejection touched. */
export interface PairingDecision {
  readonly channel: string;
  readonly accountId: string;
  /** The sender id. */
  readonly id: string;
  readonly chatId: string;
  readonly code: string;
}

/** Options of {@link PairingService}. */
export interface PairingServiceOptions {
  readonly store: Store;
  readonly now?: (() => number) | undefined;
  readonly random?: RandomSource | undefined;
}

/**
 * DM pairing: unknown senders get a code (or a challenge), the owner approves or rejects, and an
 * approval adds the sender to that channel account's allowlist only. State lives in the store,
 * so the CLI can decide on the state dir while no gateway runs. Every request and decision is
 * audited. All of it is synchronous, so two messages cannot race past the pending cap.
 */
export class PairingService {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #random: RandomSource | undefined;
  readonly #requests;
  readonly #allow;
  readonly #roles;
  /** Senders told "try later" while the cap was reached, so they are told once per hour. */
  readonly #busyTold = new Map<string, number>();

  constructor(o: PairingServiceOptions) {
    this.#store = o.store;
    this.#now = o.now ?? Date.now;
    this.#random = o.random;
    this.#requests = createPairingStore(o.store);
    this.#allow = createAllowlistStore(o.store);
    this.#roles = createRoleStore(o.store);
  }

  #audit(
    type: string,
    actor: string,
    r: Pick<PairingRequestRow, "channel" | "accountId" | "senderId">,
    detail = {},
  ) {
    appendAudit(
      this.#store,
      { type, actor, subject: `${r.channel}:${r.accountId}:${r.senderId}`, detail, severity: "info" },
      { now: this.#now },
    );
  }

  /** Deletes expired requests (audited as `pairing.expired`). */
  expire(): void {
    for (const r of this.#requests.expire(this.#now())) this.#audit("pairing.expired", "expiry", r);
  }

  /** Handles a DM from a sender who is not allowed, on a channel account with dmPolicy pairing. */
  onUnknownSender(msg: InboundMessage, s: PairingSettings): PairingOutcome {
    return this.#store.transaction(() => {
      this.expire();
      const now = this.#now();
      const open = this.#requests.get(msg.channel, msg.accountId, msg.senderId);
      if (open !== undefined)
        return open.mode === "challenge" ? this.#answer(open, msg, s) : this.#remind(open, now);
      if (this.#requests.countPending(msg.channel, now) >= s.maxPending) return this.#busy(msg, s, now);
      let row: PairingRequestRow | undefined;
      for (let i = 0; i < 16 && row === undefined; i++) {
        const candidate: PairingRequestRow = {
          channel: msg.channel,
          accountId: msg.accountId,
          senderId: msg.senderId,
          chatId: msg.chatId,
          code: generatePairingCode(this.#random),
          mode: s.mode,
          attempts: 0,
          replies: 1,
          createdAt: now,
          lastSeenAt: now,
          lastReplyAt: now,
          expiresAt: now + s.ttlMs,
        };
        if (this.#requests.insert(candidate)) row = candidate;
      }
      if (row === undefined) return { reason: "pairing code space exhausted" };
      this.#audit("pairing.requested", `${msg.channel}:${msg.senderId}`, row, { mode: row.mode });
      const reply =
        row.mode === "challenge"
          ? text.challengeReply(s.ttlMs, s.maxAttempts)
          : text.pairingCodeReply(row.channel, row.code, s.ttlMs);
      return { reply, created: row, reason: "pairing requested" };
    });
  }

  #remind(open: PairingRequestRow, now: number): PairingOutcome {
    const due = open.replies < MAX_PAIRING_REPLIES && now - open.lastReplyAt >= PAIRING_REMINDER_MS;
    this.#requests.touch(open.channel, open.accountId, open.senderId, now, due);
    const reply = due ? text.pairingCodeReply(open.channel, open.code, open.expiresAt - now) : undefined;
    return { reply, reason: "pairing pending" };
  }

  #busy(msg: InboundMessage, s: PairingSettings, now: number): PairingOutcome {
    const key = `${msg.channel}\u0000${msg.accountId}\u0000${msg.senderId}`;
    const told = this.#busyTold.get(key);
    if (told !== undefined && now - told < s.ttlMs) return { reason: "pairing cap reached" };
    if (this.#busyTold.size >= 10_000) this.#busyTold.clear();
    this.#busyTold.set(key, now);
    this.#audit("pairing.capped", `${msg.channel}:${msg.senderId}`, msg, { maxPending: s.maxPending });
    return { reply: text.PAIRING_BUSY_REPLY, reason: "pairing cap reached" };
  }

  #answer(open: PairingRequestRow, msg: InboundMessage, s: PairingSettings): PairingOutcome {
    const typed = normalizePairingCode(msg.text);
    if (typed !== undefined && pairingCodesEqual(typed, open.code)) {
      this.#grant(open, "challenge", `${msg.channel}:${msg.senderId}`);
      return { reply: text.PAIRED_REPLY, reason: "pairing challenge passed" };
    }
    const attempts = this.#requests.failAttempt(open.channel, open.accountId, open.senderId);
    this.#audit("pairing.attempt_failed", `${msg.channel}:${msg.senderId}`, open, { attempts });
    if (attempts < s.maxAttempts)
      return {
        reply: text.challengeWrongReply(s.maxAttempts - attempts),
        reason: "pairing challenge failed",
      };
    this.#requests.remove(open.channel, open.accountId, open.senderId);
    this.#roles.set({
      channel: open.channel,
      senderId: open.senderId,
      role: "blocked",
      reason: `${attempts} wrong pairing codes`,
      updatedBy: "pairing",
      updatedAt: this.#now(),
    });
    appendAudit(
      this.#store,
      {
        type: "access.blocked",
        actor: "pairing",
        subject: `${open.channel}:${open.senderId}`,
        detail: { reason: "challenge attempts exhausted", attempts },
        severity: "warn",
      },
      { now: this.#now },
    );
    return { reply: text.CHALLENGE_BLOCKED_REPLY, reason: "pairing challenge exhausted; blocked" };
  }

  #grant(r: PairingRequestRow, source: string, actor: string): void {
    this.#allow.add({
      channel: r.channel,
      accountId: r.accountId,
      senderId: r.senderId,
      source,
      addedBy: actor,
      addedAt: this.#now(),
    });
    this.#requests.remove(r.channel, r.accountId, r.senderId);
    this.#audit("pairing.approved", actor, r, { source });
  }

  #find(channel: string, rawCode: string, accountId: string | undefined): PairingRequestRow {
    const code = normalizePairingCode(rawCode);
    if (code === undefined) throw fail("PAL_ACCESS_BAD_CODE", { code: JSON.stringify(rawCode.slice(0, 20)) });
    this.expire();
    const row = this.#requests.byCode(channel, code);
    if (row === undefined || (accountId !== undefined && row.accountId !== accountId))
      throw fail("PAL_ACCESS_PAIRING_NOT_FOUND", { code, channel });
    return row;
  }

  /** Approves an open request by code: the sender joins that channel account's allowlist. */
  approve(
    channel: string,
    code: string,
    opts: { accountId?: string | undefined; actor: string },
  ): PairingDecision {
    return this.#store.transaction(() => {
      const r = this.#find(channel, code, opts.accountId);
      this.#grant(r, "pairing", opts.actor);
      return { channel: r.channel, accountId: r.accountId, id: r.senderId, chatId: r.chatId, code: r.code };
    });
  }

  /** Rejects an open request by code (the sender may ask again later unless also blocked). */
  reject(
    channel: string,
    code: string,
    opts: { accountId?: string | undefined; actor: string },
  ): PairingDecision {
    return this.#store.transaction(() => {
      const r = this.#find(channel, code, opts.accountId);
      this.#requests.remove(r.channel, r.accountId, r.senderId);
      this.#audit("pairing.rejected", opts.actor, r);
      return { channel: r.channel, accountId: r.accountId, id: r.senderId, chatId: r.chatId, code: r.code };
    });
  }

  /** Open (unexpired) requests, oldest first. */
  list(filter: { channel?: string | undefined; accountId?: string | undefined } = {}): PairingRequestView[] {
    this.#store.transaction(() => this.expire());
    return this.#requests.list(filter).map((r) => ({
      id: r.senderId,
      code: r.code,
      channel: r.channel,
      accountId: r.accountId,
      mode: r.mode,
      createdAt: new Date(r.createdAt).toISOString(),
      lastSeenAt: new Date(r.lastSeenAt).toISOString(),
      expiresAt: new Date(r.expiresAt).toISOString(),
      attempts: r.attempts,
    }));
  }
}
