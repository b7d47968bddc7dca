/**
 * An in-process gateway with the real agent runtime attached, pointed at LLM emulators: a real
 * server on 127.0.0.1:0, a real store in a temp dir, a raw WS client, and captured JSON logs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { AgentRuntimeOptions } from "../../src/agent/index.js";
import { configSchema, type PalisadeConfigInput } from "../../src/config/index.js";
import type { GatewayServer } from "../../src/gateway/index.js";
import { type AttachedAgentRuntime, attachAgentRuntime } from "../../src/gateway/process/agent-runtime.js";
import { openStore, type Store } from "../../src/store/index.js";
import { connect, type RawClient, startTestGateway } from "../helpers/gateway.js";

/** A running harness. */
export interface AgentGateway {
  readonly gw: GatewayServer;
  readonly client: RawClient;
  readonly store: Store;
  readonly agents: AttachedAgentRuntime;
  readonly dir: string;
  /** Parsed log records written so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** `chat` events for `runId`, up to and including the terminal one. */
  chatEvents(runId: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** Retries without real waits, so failure tests stay fast. */
export const FAST_PROVIDER = { sleep: async () => {}, maxAttempts: 2 } as const;

/** Starts the harness with `config` (models, agents, session). */
export async function startAgentGateway(
  config: PalisadeConfigInput,
  runtime: Partial<
    Omit<AgentRuntimeOptions, "config" | "env" | "stateDir" | "store" | "logger" | "emit">
  > = {},
): Promise<AgentGateway> {
  const dir = mkdtempSync(join(tmpdir(), "pal-agent-"));
  const store = openStore({ file: join(dir, "state.sqlite") });
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const agents = await attachAgentRuntime({
    config: configSchema.parse(config),
    env: {},
    stateDir: dir,
    logger,
    store,
    runtime: { provider: FAST_PROVIDER, deltaThrottleMs: 0, ...runtime },
  });
  const gw = await startTestGateway();
  agents.attach(gw);
  const { client } = await connect(gw);
  return {
    gw,
    client,
    store,
    agents,
    dir,
    logs,
    async chatEvents(runId) {
      const out: Array<Record<string, unknown>> = [];
      for (;;) {
        const f = await client.nextWhere(
          (fr) =>
            fr.type === "event" && fr.event === "chat" && (fr.payload as { runId?: string }).runId === runId,
        );
        if (f === undefined) return out;
        const p = f.payload as Record<string, unknown>;
        out.push(p);
        if (p.state !== "delta") return out;
      }
    },
    async close() {
      client.close();
      await gw.close();
      agents.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A config with one OpenAI-compatible provider `emu` at `baseUrl` and the default agent on it. */
export function emuConfig(
  baseUrl: string,
  opts: { model?: string | { primary: string; fallbacks: string[] }; contextWindow?: number } = {},
): PalisadeConfigInput {
  return {
    models: {
      providers: {
        emu: {
          baseUrl,
          apiKey: "test-key",
          api: "openai-completions",
          models: [
            { id: "m1", ...(opts.contextWindow === undefined ? {} : { contextWindow: opts.contextWindow }) },
          ],
        },
      },
    },
    agents: { defaults: { model: opts.model ?? "emu/m1" } },
  };
}
