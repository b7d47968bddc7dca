import type { GateDecision, GateHook, InboundMessage } from "../channels/index.js";
import { resolveAgentFor } from "../routing/index.js";
import { appendAudit, createAllowlistStore, type SenderRole, type Store } from "../store/index.js";
import type { RandomSource } from "./codes.js";
import { hasWildcard, listMatches } from "./ids.js";
import { compileMentionPatterns, isMentioned } from "./mention.js";
import * as text from "./messages.js";
import { ownerCommand } from "./owner-commands.js";
import { PairingService } from "./pairing.js";
import { RateLimiter } from "./rate-limit.js";
import { AccessRoles } from "./roles.js";
import {
  type AccessConfigView,
  type ChannelAccess,
  channelAccess,
  mentionPatternsOf,
  ownerNoticeTarget,
  pairingSettings,
  rateLimits,
} from "./settings.js";

/** A chat on a channel account (where a notice goes). */
export interface NoticeTarget {
  readonly channel: string;
  readonly accountId: string;
  readonly chatId: string;
}

/** Options of {@link AccessGate}. */
export interface AccessGateOptions {
  readonly store: Store;
  readonly config: AccessConfigView;
  /** Agent of messages no binding catches (its mention patterns gate groups). */
  readonly defaultAgentId: string;
  readonly now?: (() => number) | undefined;
  readonly random?: RandomSource | undefined;
  /** Sends a text to a chat (the owner notice); best effort, failures are logged. */
  readonly notify?: ((target: NoticeTarget, text: string) => Promise<void>) | undefined;
  readonly logger?: { warn(obj: object, msg: string): void } | undefined;
}

/** Most senders whose dropped messages are remembered for once-an-hour auditing. */
const AUDIT_MEMORY = 10_000;
const AUDIT_EVERY_MS = 60 * 60_000;

const drop = (reason: string, reply?: string): GateDecision =>
  reply === undefined ? { action: "drop", reason } : { action: "drop", reason, reply };

/**
 * The access gate between the inbox and the agent. In order: blocked senders and bots are
 * dropped; DMs follow the channel account's dmPolicy (pairing, allowlist, open, disabled) with
 * the store allowlist merged in; groups follow groupPolicy, the group and sender allowlists and
 * mention gating; allowed senders pass a per-sender token bucket. A sender who is not allowed
 * never reaches the router: no session, no transcript, no model call, no tool.
 */
export class AccessGate {
  /** DM pairing (also behind `pairing.*` and the CLI). */
  readonly pairing: PairingService;
  /** Sender roles (also behind `access.*` and the CLI). */
  readonly roles: AccessRoles;
  readonly #o: AccessGateOptions;
  readonly #now: () => number;
  readonly #allow;
  readonly #limiter: RateLimiter;
  readonly #patterns = new Map<string, RegExp[]>();
  readonly #audited = new Map<string, number>();
  #config: AccessConfigView;

  /** The hook to hand to the channel manager. */
  readonly hook: GateHook = (msg) => this.decide(msg);

  constructor(o: AccessGateOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#config = o.config;
    this.pairing = new PairingService({ store: o.store, now: this.#now, random: o.random });
    this.roles = new AccessRoles({ store: o.store, config: o.config, now: this.#now });
    this.#allow = createAllowlistStore(o.store);
    this.#limiter = new RateLimiter(this.#now);
  }

  /** Uses a reloaded config from the next message on. */
  apply(config: AccessConfigView): void {
    this.#config = config;
    this.roles.apply(config);
    this.#patterns.clear();
  }

  /** Decides one message (synchronously, so decisions never interleave). */
  decide(msg: InboundMessage): GateDecision {
    const role = this.roles.roleOf(msg.channel, msg.senderId);
    if (role === "blocked") {
      this.#auditOnce("access.blocked_message", msg, "warn");
      return drop("sender blocked");
    }
    if (msg.senderIsBot) return drop("bot sender");
    const access = channelAccess(this.#config, msg.channel, msg.accountId);
    const agentId = resolveAgentFor(
      { bindings: this.#config.bindings, defaultAgentId: this.#o.defaultAgentId },
      msg,
    ).agentId;
    const refused =
      msg.chatType === "direct" ? this.#dm(msg, access, role) : this.#group(msg, access, agentId);
    if (refused !== undefined) return refused;
    if (role === "owner" && msg.chatType === "direct") {
      const reply = ownerCommand(msg, this.pairing, `${msg.channel}:${msg.senderId}`);
      if (reply !== undefined) return drop("owner command", reply);
    }
    const limited = this.#rateLimit(msg, role);
    if (limited !== undefined) return limited;
    return { action: "allow", agentId, owner: role === "owner" };
  }

  #dm(msg: InboundMessage, access: ChannelAccess, role: SenderRole | undefined): GateDecision | undefined {
    if (access.dmPolicy === "disabled") return drop("dms disabled");
    if (role === "owner" || listMatches(access.allowFrom, msg.channel, msg.senderId)) return undefined;
    if (access.dmPolicy === "open") {
      // "open" needs "*" (config validation enforces it); without it only allowFrom passes.
      return hasWildcard(access.allowFrom) ? undefined : drop("sender not in allowFrom");
    }
    if (this.#allow.has(msg.channel, msg.accountId, msg.senderId)) return undefined;
    if (access.dmPolicy === "allowlist") return drop("sender not in allowlist");
    const outcome = this.pairing.onUnknownSender(msg, pairingSettings(this.#config));
    if (outcome.created !== undefined) this.#noticeOwner(outcome.created, msg.text);
    return drop(outcome.reason, outcome.reply);
  }

  #group(msg: InboundMessage, access: ChannelAccess, agentId: string): GateDecision | undefined {
    if (access.groupPolicy === "disabled") return drop("groups disabled");
    const entry = access.groups?.[msg.chatId];
    const star = access.groups?.["*"];
    if ((entry ?? star)?.enabled === false) return drop("group disabled");
    const listed = entry !== undefined || star !== undefined;
    if (access.groupPolicy === "allowlist" && !listed && access.groupAllowFrom === undefined)
      return drop("group not allowed");
    const senders = entry?.allowFrom ?? star?.allowFrom ?? access.groupAllowFrom;
    if (senders !== undefined && !listMatches(senders, msg.channel, msg.senderId))
      return drop("group sender not allowed");
    const requireMention = entry?.requireMention ?? star?.requireMention ?? true;
    if (requireMention && !isMentioned(msg, this.#patternsOf(agentId))) return drop("not mentioned");
    return undefined;
  }

  #patternsOf(agentId: string): RegExp[] {
    let p = this.#patterns.get(agentId);
    if (p === undefined) {
      p = compileMentionPatterns(mentionPatternsOf(this.#config, agentId));
      this.#patterns.set(agentId, p);
    }
    return p;
  }

  #rateLimit(msg: InboundMessage, role: SenderRole | undefined): GateDecision | undefined {
    const limits = rateLimits(this.#config);
    if (limits === undefined || role === "owner") return undefined;
    const d = this.#limiter.take(
      `${msg.channel}\u0000${msg.senderId}`,
      role === "limited" ? limits.limited : limits.normal,
    );
    if (d.ok) return undefined;
    if (!d.first) return drop("rate limited");
    appendAudit(
      this.#o.store,
      {
        type: "access.rate_limited",
        actor: `${msg.channel}:${msg.senderId}`,
        subject: `${msg.channel}:${msg.accountId}:${msg.chatId}`,
        detail: { role: role ?? null },
        severity: "warn",
      },
      { now: this.#now },
    );
    return drop("rate limited", text.RATE_LIMIT_REPLY);
  }

  #auditOnce(type: string, msg: InboundMessage, severity: "info" | "warn"): void {
    const key = `${type}\u0000${msg.channel}\u0000${msg.senderId}`;
    const now = this.#now();
    const last = this.#audited.get(key);
    if (last !== undefined && now - last < AUDIT_EVERY_MS) return;
    if (this.#audited.size >= AUDIT_MEMORY) this.#audited.clear();
    this.#audited.set(key, now);
    appendAudit(
      this.#o.store,
      {
        type,
        actor: `${msg.channel}:${msg.senderId}`,
        subject: `${msg.channel}:${msg.accountId}:${msg.chatId}`,
        severity,
      },
      { now: this.#now },
    );
  }

  #noticeOwner(
    r: { channel: string; accountId: string; senderId: string; code: string; mode: "code" | "challenge" },
    preview: string,
  ): void {
    const target = ownerNoticeTarget(this.#config);
    const notify = this.#o.notify;
    if (target === undefined || notify === undefined) return;
    notify(target, text.ownerNotice(r, preview)).catch((err: unknown) => {
      this.#o.logger?.warn(
        { channel: target.channel, detail: err instanceof Error ? err.message.slice(0, 200) : "failed" },
        "owner pairing notice failed",
      );
    });
  }
}
