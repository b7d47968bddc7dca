import { type InboundMessage, messageSessionKey, type RouteFn } from "../channels/index.js";
import type { DmScope } from "../sessions/index.js";
import { type BindingConfig, type BindingResolution, type RouteInput, resolveBinding } from "./bindings.js";

/** Settings of {@link bindingRouter}. */
export interface BindingRouterSettings {
  readonly bindings?: readonly BindingConfig[] | undefined;
  /** Agent of messages no binding catches. */
  readonly defaultAgentId: string;
  /** `session.dmScope`; default `main`. */
  readonly dmScope?: DmScope | undefined;
  readonly mainKey?: string | undefined;
  /** `session.identityLinks`: only these merge one person's ids across channels. */
  readonly identityLinks?: Readonly<Record<string, readonly string[]>> | undefined;
}

/**
 * The binding view of a message: DMs are the sender's peer, groups and channels the chat's; a
 * forum topic is its own peer (`<chat>:topic:<thread>`) whose parent is the chat.
 */
export function routeInputOf(msg: InboundMessage): RouteInput {
  if (msg.chatType === "direct")
    return { channel: msg.channel, accountId: msg.accountId, peer: { kind: "direct", id: msg.senderId } };
  const chat = { kind: msg.chatType, id: msg.chatId } as const;
  if (msg.threadId === undefined) return { channel: msg.channel, accountId: msg.accountId, peer: chat };
  return {
    channel: msg.channel,
    accountId: msg.accountId,
    peer: { kind: msg.chatType, id: `${msg.chatId}:topic:${msg.threadId}` },
    parentPeer: chat,
  };
}

/** The agent `bindings[]` pick for a message. */
export function resolveAgentFor(settings: BindingRouterSettings, msg: InboundMessage): BindingResolution {
  return resolveBinding(settings.bindings, routeInputOf(msg), settings.defaultAgentId);
}

/**
 * The channel router with bindings: the agent from {@link resolveAgentFor} (or the one the gate
 * already resolved), and the session key under that agent by `session.dmScope`, so every agent
 * keeps its own sessions (and, through its profile, its own workspace and tool policy).
 */
export function bindingRouter(settings: BindingRouterSettings): RouteFn {
  return (msg, agentId) => {
    const agent = agentId ?? resolveAgentFor(settings, msg).agentId;
    return { agentId: agent, sessionKey: messageSessionKey(settings, msg, agent) };
  };
}
