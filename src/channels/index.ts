/**
 * Messaging channels: the `ChannelAdapter` port, the registry, the durable ingress pipeline
 * (inbox -> gate -> route -> agent lane -> outbound), outbound chunking and formatting, and one
 * folder per channel (telegram/, webchat/). Other folders import channels only through here.
 */
export {
  type AgentRunPort,
  agentServicePort,
  type ChannelRunInput,
  type ChannelRunResult,
} from "./agent-port.js";
export { type BackoffOptions, backoffDelay, sleep } from "./backoff.js";
export { type ChunkMode, chunkText } from "./chunk.js";
export {
  allowAllGate,
  defaultRouter,
  type GateDecision,
  type GateHook,
  messageSessionKey,
  type Route,
  type RouteFn,
  type RouterSettings,
} from "./gate.js";
export { HealthTracker } from "./health.js";
export {
  ChannelManager,
  type ChannelManagerOptions,
  type ChannelStatus,
  type ChannelsConfigView,
} from "./manager.js";
export { deliverPlanned, deliverReply, replyTarget, StreamDraft } from "./outbound.js";
export { BACKLOG_STAGE, BUSY_TEXT } from "./overload.js";
export { ChannelPipeline, type PipelineDeps, type PipelineLogger } from "./pipeline.js";
export { ChannelRegistry } from "./registry.js";
// The Telegram adapter and its API client (grammY) are not re-exported here: importing this entry
// must not load grammY; the manager imports the adapter when a Telegram account starts.
export type { TelegramAdapterOptions } from "./telegram/adapter.js";
export {
  resolveTelegramAccounts,
  TELEGRAM_MAX_TEXT,
  type TelegramAccountSettings,
} from "./telegram/config.js";
export { escapeHtml, markdownToTelegramHtml } from "./telegram/format.js";
export { normalizeUpdate } from "./telegram/normalize.js";
export { secretMatches } from "./telegram/webhook.js";
export {
  type ChannelAdapter,
  type ChannelHealth,
  type ChannelLimits,
  type ChatType,
  type InboundMessage,
  type InboundSink,
  inboundMessageSchema,
  MAX_INBOUND_TEXT_CHARS,
  type OutboundFormat,
  type OutboundTarget,
  type SentMessage,
} from "./types.js";
export { WebchatAdapter } from "./webchat/adapter.js";
export {
  WEBCHAT_CHANNEL,
  type WebchatAck,
  WebchatIngress,
  type WebchatIngressOptions,
  type WebchatSend,
} from "./webchat/ingress.js";
