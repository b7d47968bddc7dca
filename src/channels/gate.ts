import { type DmScope, sessionKeyFor } from "../sessions/index.js";
import type { InboundMessage } from "./types.js";

/**
 * What the access gate decided about a persisted message: run the agent, or drop it (the model
 * is never called), optionally answering with a fixed text such as a pairing code.
 */
export type GateDecision =
  | {
      readonly action: "allow";
      /** The agent bindings picked (the router uses it instead of resolving again). */
      readonly agentId?: string | undefined;
      /** The sender has role owner (may `/approve` in chat). Default false. */
      readonly owner?: boolean | undefined;
    }
  | { readonly action: "drop"; readonly reason: string; readonly reply?: string | undefined };

/**
 * The access-control hook between the inbox and the agent (issue 7 fills it: DM policy,
 * pairing, allowlists, group mention, rate limits). It sees only the normalized message, whose
 * sender is the platform's stable id; it must never decide on a display name.
 */
export type GateHook = (msg: InboundMessage) => GateDecision | Promise<GateDecision>;

/** Until access control lands: every message passes (still keyed on stable ids only). */
export const allowAllGate: GateHook = () => ({ action: "allow" });

/** Where a message goes: an agent and the session key its run uses. */
export interface Route {
  readonly agentId: string;
  readonly sessionKey: string;
}

/** Resolves the route of an allowed message (src/routing supplies the bindings router). */
export type RouteFn = (msg: InboundMessage, agentId?: string) => Route;

/** Settings of {@link defaultRouter}. */
export interface RouterSettings {
  /** The default agent's id. */
  readonly defaultAgentId: string;
  /** `session.dmScope`; default `main` (OpenClaw's default). */
  readonly dmScope?: DmScope | undefined;
  readonly mainKey?: string | undefined;
  readonly identityLinks?: Readonly<Record<string, readonly string[]>> | undefined;
}

/**
 * Routes every message to the default agent (or the gate's choice) with OpenClaw's session
 * keys: DMs by `dmScope` on the sender's stable id, groups and channels by chat id, forum topics
 * as thread suffixes.
 */
export function defaultRouter(settings: RouterSettings): RouteFn {
  return (msg, agentId) => {
    const agent = agentId ?? settings.defaultAgentId;
    return { agentId: agent, sessionKey: messageSessionKey(settings, msg, agent) };
  };
}

/**
 * The session key of a message under `agentId`: DMs keyed by `dmScope` on the sender's stable
 * id, groups and channels by chat id, forum topics as thread suffixes. Every router uses this,
 * so the key of a conversation never depends on which router picked the agent.
 */
export function messageSessionKey(
  settings: Omit<RouterSettings, "defaultAgentId">,
  msg: InboundMessage,
  agentId: string,
): string {
  return sessionKeyFor({
    agentId,
    dmScope: settings.dmScope,
    mainKey: settings.mainKey,
    channel: msg.channel,
    accountId: msg.accountId,
    peerKind: msg.chatType,
    peerId: msg.chatType === "direct" ? msg.senderId : msg.chatId,
    threadId: msg.threadId,
    identityLinks: settings.identityLinks,
  });
}
