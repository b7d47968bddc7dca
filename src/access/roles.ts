import { fail } from "../core/errors.js";
import {
  appendAudit,
  createAllowlistStore,
  createRoleStore,
  type SenderRole,
  type SenderRoleRow,
  type Store,
} from "../store/index.js";
import { type AccessConfigView, configRole } from "./settings.js";

/** A sender's role and where it comes from. */
export interface RoleView {
  readonly channel: string;
  readonly senderId: string;
  readonly role: SenderRole;
  readonly source: "config" | "store";
  readonly reason: string | null;
  readonly updatedAt: string | null;
}

/**
 * Roles per channel sender (owner, trusted, limited, blocked): `access.roles` in config wins,
 * then the store (`palisade access block|unblock|role`, or a failed pairing challenge). Every
 * change is audited.
 */
export class AccessRoles {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #roles;
  readonly #allow;
  #config: AccessConfigView;

  constructor(o: { store: Store; config: AccessConfigView; now?: (() => number) | undefined }) {
    this.#store = o.store;
    this.#now = o.now ?? Date.now;
    this.#config = o.config;
    this.#roles = createRoleStore(o.store);
    this.#allow = createAllowlistStore(o.store);
  }

  /** Uses a reloaded config (its `access.roles`). */
  apply(config: AccessConfigView): void {
    this.#config = config;
  }

  /** The sender's role, if any. */
  roleOf(channel: string, senderId: string): SenderRole | undefined {
    return configRole(this.#config, channel, senderId) ?? this.#roles.get(channel, senderId)?.role;
  }

  /** Sets a stored role (refused when config declares another role for the sender). */
  set(channel: string, senderId: string, role: SenderRole, actor: string, reason?: string): RoleView {
    const declared = configRole(this.#config, channel, senderId);
    if (declared !== undefined && declared !== role)
      throw fail("PAL_ACCESS_ROLE_IN_CONFIG", { channel, sender: senderId, role: declared });
    const row: SenderRoleRow = {
      channel,
      senderId,
      role,
      reason: reason ?? null,
      updatedBy: actor,
      updatedAt: this.#now(),
    };
    this.#store.transaction(() => {
      this.#roles.set(row);
      appendAudit(
        this.#store,
        {
          type: role === "blocked" ? "access.blocked" : "access.role_set",
          actor,
          subject: `${channel}:${senderId}`,
          detail: { role, reason: reason ?? null },
          severity: role === "blocked" || role === "owner" ? "warn" : "info",
        },
        { now: this.#now },
      );
    });
    return {
      channel,
      senderId,
      role,
      source: "store",
      reason: row.reason,
      updatedAt: new Date(row.updatedAt).toISOString(),
    };
  }

  /** Removes a stored role (`only`: just that role, e.g. unblock); false when none was removed. */
  clear(channel: string, senderId: string, actor: string, only?: SenderRole): boolean {
    const declared = configRole(this.#config, channel, senderId);
    if (declared !== undefined && (only === undefined || declared === only))
      throw fail("PAL_ACCESS_ROLE_IN_CONFIG", { channel, sender: senderId, role: declared });
    return this.#store.transaction(() => {
      const removed = this.#roles.clear(channel, senderId, only);
      if (removed)
        appendAudit(
          this.#store,
          {
            type: only === "blocked" ? "access.unblocked" : "access.role_cleared",
            actor,
            subject: `${channel}:${senderId}`,
            severity: "info",
          },
          { now: this.#now },
        );
      return removed;
    });
  }

  /** Every role (config first, then the store), optionally of one channel. */
  list(channel?: string): RoleView[] {
    const out: RoleView[] = [];
    for (const [key, role] of Object.entries(this.#config.access?.roles ?? {})) {
      const i = key.indexOf(":");
      const ch = key.slice(0, i);
      if (channel === undefined || ch === channel)
        out.push({
          channel: ch,
          senderId: key.slice(i + 1),
          role,
          source: "config",
          reason: null,
          updatedAt: null,
        });
    }
    for (const r of this.#roles.list({ channel })) {
      if (configRole(this.#config, r.channel, r.senderId) !== undefined) continue;
      out.push({
        channel: r.channel,
        senderId: r.senderId,
        role: r.role,
        source: "store",
        reason: r.reason,
        updatedAt: new Date(r.updatedAt).toISOString(),
      });
    }
    return out;
  }

  /** Approved senders in the store allowlist (pairing and operator additions). */
  allowlist(filter: { channel?: string | undefined; accountId?: string | undefined } = {}) {
    return this.#allow.list(filter).map((e) => ({ ...e, addedAt: new Date(e.addedAt).toISOString() }));
  }

  /** Removes a sender from a channel account's store allowlist (audited); false when absent. */
  revoke(channel: string, accountId: string, senderId: string, actor: string): boolean {
    return this.#store.transaction(() => {
      const removed = this.#allow.remove(channel, accountId, senderId);
      if (removed)
        appendAudit(
          this.#store,
          { type: "access.revoked", actor, subject: `${channel}:${accountId}:${senderId}`, severity: "info" },
          { now: this.#now },
        );
      return removed;
    });
  }
}
