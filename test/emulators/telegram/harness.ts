/**
 * In-process channel harness: the Telegram emulator, the OpenAI emulator, the real agent
 * runtime (through the agent harness) and a real ChannelManager over the same store.
 */
import { agentServicePort, ChannelManager } from "../../../src/channels/index.js";
import { configSchema, type PalisadeConfigInput } from "../../../src/config/index.js";
import { type AgentGateway, emuConfig, startAgentGateway } from "../harness.js";
import type { RecordedRequest } from "../llm-server.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "../openai.js";
import { startTelegramEmulator, type TelegramEmulator } from "./server.js";

/** A running channel harness. */
export interface ChannelHarness {
  readonly tg: TelegramEmulator;
  readonly llm: OpenAIEmulator;
  readonly gw: AgentGateway;
  readonly manager: ChannelManager;
  close(): Promise<void>;
}

/** The text of the last user message in a chat-completions request. */
export function lastUserText(req: RecordedRequest): string {
  const msgs = (req.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
  const last = [...msgs].reverse().find((m) => m.role === "user");
  const c = last?.content;
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return c.map((p: { text?: string }) => p.text ?? "").join("");
  return "";
}

/** Polls `fn` until it returns a truthy value (no timing assertion: the test timeout bounds it). */
export async function until<T>(fn: () => T | undefined | false, stepMs = 10): Promise<T> {
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Starts the harness; `telegram` keys are merged over a fast-polling default account. */
export async function startChannelHarness(
  opts: {
    telegram?: Record<string, unknown>;
    config?: PalisadeConfigInput;
    defaults?: Record<string, unknown>;
  } = {},
): Promise<ChannelHarness> {
  const tg = await startTelegramEmulator();
  const llm = await startOpenAIEmulator();
  llm.handle((req) => ({ text: `echo: ${lastUserText(req)}`, chunks: 1 }));
  const base = emuConfig(llm.baseUrl);
  const gw = await startAgentGateway({ ...base, ...opts.config });
  const config = configSchema.parse({
    ...base,
    session: { dmScope: "per-channel-peer" },
    ...opts.config,
    channels: {
      ...(opts.defaults === undefined ? {} : { defaults: opts.defaults }),
      telegram: {
        botToken: tg.token,
        apiRoot: tg.apiRoot,
        pollTimeoutSeconds: 1,
        streamMode: "off",
        ...opts.telegram,
      },
    },
  });
  const logger = {
    info: (o: object, m: string) => gw.logs.push({ level: 30, ...o, msg: m }),
    warn: (o: object, m: string) => gw.logs.push({ level: 40, ...o, msg: m }),
    error: (o: object, m: string) => gw.logs.push({ level: 50, ...o, msg: m }),
  };
  const manager = new ChannelManager({
    store: gw.store,
    agent: agentServicePort(gw.agents.service),
    logger,
    config,
    defaultAgentId: gw.agents.defaultAgentId,
  });
  await manager.start();
  return {
    tg,
    llm,
    gw,
    manager,
    async close() {
      await manager.stop();
      await gw.close();
      await tg.close();
      await llm.close();
    },
  };
}
