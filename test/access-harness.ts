/**
 * Access-control harness: the Telegram and OpenAI emulators, the real agent runtime on a real
 * test gateway, and the production channel wiring (`attachChannels`: access gate, bindings
 * router, pairing/access methods) over the same store. The gateway client holds
 * operator.pairing, so tests approve over RPC exactly as the CLI and the Control UI do.
 */
import pino from "pino";
import { configSchema, type PalisadeConfigInput } from "../src/config/index.js";
import { type AttachedChannels, attachChannels } from "../src/gateway/process/channels-runtime.js";
import { type AgentGateway, emuConfig, startAgentGateway } from "./emulators/harness.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { lastUserText, until } from "./emulators/telegram/harness.js";
import { startTelegramEmulator, type TelegramEmulator } from "./emulators/telegram/server.js";
import { connect, type RawClient } from "./helpers/gateway.js";

/** A running access harness. */
export interface AccessHarness {
  readonly tg: TelegramEmulator;
  readonly llm: OpenAIEmulator;
  readonly gw: AgentGateway;
  readonly channels: AttachedChannels;
  /** A client with operator.pairing (and admin). */
  readonly op: RawClient;
  /** Calls a method and returns the payload (throws on an error response). */
  rpc(method: string, params?: unknown): Promise<Record<string, unknown>>;
  /** Waits until every queued inbound message is processed. */
  idle(): Promise<void>;
  /** Bot messages sent to a chat. */
  sentTo(chatId: number): string[];
  /** Model requests whose last user message is `text`. */
  modelCallsFor(text: string): number;
  /** Session keys in the store. */
  sessionKeys(): string[];
  close(): Promise<void>;
}

/** Starts the harness; `telegram` keys are merged over a fast-polling default account. */
export async function startAccessHarness(
  opts: { telegram?: Record<string, unknown>; config?: PalisadeConfigInput } = {},
): Promise<AccessHarness> {
  const tg = await startTelegramEmulator();
  const llm = await startOpenAIEmulator();
  llm.handle((req) => ({ text: `echo: ${lastUserText(req)}`, chunks: 1 }));
  const base = emuConfig(llm.baseUrl);
  const input = {
    ...base,
    session: { dmScope: "per-channel-peer" },
    ...opts.config,
    channels: {
      telegram: {
        botToken: tg.token,
        apiRoot: tg.apiRoot,
        pollTimeoutSeconds: 1,
        streamMode: "off",
        ...opts.telegram,
      },
    },
  } as PalisadeConfigInput;
  const gw = await startAgentGateway(input);
  const channels = await attachChannels({
    config: configSchema.parse(input),
    store: gw.store,
    agents: gw.agents,
    logger: pino({ level: "silent" }),
    redact: (t) => t,
  });
  channels.attach(gw.gw);
  const { client: op } = await connect(gw.gw, {
    scopes: ["operator.read", "operator.write", "operator.admin", "operator.pairing"],
  });
  await until(() => channels.manager.status().find((s) => s.channel === "telegram")?.connected);
  return {
    tg,
    llm,
    gw,
    channels,
    op,
    async rpc(method, params) {
      const res = await op.call(method, params);
      if (!res.ok) throw Object.assign(new Error(res.error?.message ?? "rpc failed"), { error: res.error });
      return res.payload as Record<string, unknown>;
    },
    idle: () => channels.manager.pipeline.idle(),
    sentTo: (chatId) => tg.sent.filter((b) => b.chatId === String(chatId)).map((b) => b.text),
    modelCallsFor: (text) => llm.requests.filter((r) => lastUserText(r) === text).length,
    sessionKeys: () =>
      (gw.store.statement("SELECT key FROM sessions").all() as Array<{ key: string }>).map((r) => r.key),
    async close() {
      op.close();
      await channels.close();
      await gw.close();
      await tg.close();
      await llm.close();
    },
  };
}

/** A private-chat message from user `id`. */
export const dm = (id: number, text: string) => ({ chatId: id, from: { id, first_name: "Eve" }, text });
