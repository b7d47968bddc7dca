/**
 * In-process harness for the reliability and overload tests: the Telegram and OpenAI emulators,
 * the real agent runtime, a real gateway server (WS + HTTP on 127.0.0.1:0), a real
 * ChannelManager, and the load monitor wired exactly as `gateway run` wires it (readiness
 * stages, `status` fields, the channels' overload hook).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { AgentRuntimeOptions } from "../src/agent/index.js";
import { agentServicePort, ChannelManager } from "../src/channels/index.js";
import { configSchema } from "../src/config/index.js";
import type { GatewayServer } from "../src/gateway/index.js";
import { type AttachedAgentRuntime, attachAgentRuntime } from "../src/gateway/process/agent-runtime.js";
import { type LoadMonitor, startLoadMonitor } from "../src/gateway/process/load.js";
import { openStore, type Store } from "../src/store/index.js";
import { emuConfig } from "./emulators/harness.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { lastUserText, until } from "./emulators/telegram/harness.js";
import { startTelegramEmulator, type TelegramEmulator } from "./emulators/telegram/server.js";
import { startTestGateway } from "./helpers/gateway.js";

/** Options of {@link startReliabilityHarness}. */
export interface ReliabilityOptions {
  readonly lanes?: AgentRuntimeOptions["lanes"];
  /** Provider settings; default no real waits, 2 attempts, 500 ms stall timeout. */
  readonly provider?: AgentRuntimeOptions["provider"];
  /** Merged over the test Telegram account (fast polls, no streaming, 2 s API timeout). */
  readonly telegram?: Record<string, unknown>;
  readonly maxBacklog?: number;
  readonly maxBufferedBytes?: number;
}

/** A running harness. */
export interface ReliabilityHarness {
  readonly tg: TelegramEmulator;
  readonly llm: OpenAIEmulator;
  readonly server: GatewayServer;
  readonly store: Store;
  readonly agents: AttachedAgentRuntime;
  readonly manager: ChannelManager;
  readonly load: LoadMonitor;
  readonly logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts the harness; the model echoes the last user message. */
export async function startReliabilityHarness(opts: ReliabilityOptions = {}): Promise<ReliabilityHarness> {
  const tg = await startTelegramEmulator();
  const llm = await startOpenAIEmulator();
  llm.handle((req) => ({ text: `echo: ${lastUserText(req)}`, chunks: 1 }));
  const dir = mkdtempSync(join(tmpdir(), "pal-rel-"));
  const store = openStore({ file: join(dir, "state.sqlite") });
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const config = configSchema.parse({
    ...emuConfig(llm.baseUrl),
    session: { dmScope: "per-channel-peer" },
    channels: {
      telegram: {
        botToken: tg.token,
        apiRoot: tg.apiRoot,
        pollTimeoutSeconds: 1,
        timeoutSeconds: 2,
        streamMode: "off",
        dmPolicy: "open",
        allowFrom: ["*"],
        ...opts.telegram,
      },
    },
  });
  const agents = await attachAgentRuntime({
    config,
    env: {},
    stateDir: dir,
    logger,
    store,
    runtime: {
      provider: opts.provider ?? { sleep: async () => {}, maxAttempts: 2, stallTimeoutMs: 500 },
      deltaThrottleMs: 0,
      ...(opts.lanes === undefined ? {} : { lanes: opts.lanes }),
    },
  });
  let manager: ChannelManager | undefined;
  const load = startLoadMonitor({
    agent: () => agents.service.deps.lanes.load(),
    channels: () => manager?.pipeline.stats(),
  });
  const server = await startTestGateway({
    status: () => load.status(),
    ...(opts.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: opts.maxBufferedBytes }),
  });
  agents.attach(server);
  load.attach(server);
  manager = new ChannelManager({
    store,
    agent: agentServicePort(agents.service),
    logger: logger.child({ module: "channels" }),
    config,
    defaultAgentId: agents.defaultAgentId,
    overload: () => load.agentOverloaded(),
    maxBacklog: opts.maxBacklog,
  });
  await manager.start();
  const m = manager;
  return {
    tg,
    llm,
    server,
    store,
    agents,
    manager: m,
    load,
    logs,
    async close() {
      await m.stop();
      await server.close();
      load.close();
      agents.close();
      store.close();
      await tg.close();
      await llm.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A DM from user `id`. */
export const dm = (id: number, text: string) => ({ chatId: id, from: { id }, text });

/** Injects `perSender` messages from each sender, round robin; returns [chat, messageId, text]. */
export function injectRound(
  tg: TelegramEmulator,
  senders: readonly number[],
  perSender: number,
  text: (sender: number, i: number) => string,
): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  for (let i = 0; i < perSender; i++) {
    for (const s of senders) {
      const t = text(s, i);
      out.push([s, tg.inject(dm(s, t)), t]);
    }
  }
  return out;
}

/** Waits until every message has a reply; returns the reply count per message. */
export async function allAnswered(tg: TelegramEmulator, sent: Array<[number, number, string]>) {
  await until(() => sent.every(([c, m]) => tg.repliesTo(c, m).length > 0), 25);
  return sent.map(([c, m]) => tg.repliesTo(c, m).length);
}

/** Polls an async predicate until it holds (the test timeout bounds it). */
export async function untilAsync(fn: () => Promise<boolean>, stepMs = 50): Promise<void> {
  while (!(await fn())) await new Promise((r) => setTimeout(r, stepMs));
}

export { until };
