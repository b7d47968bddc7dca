/**
 * An in-process agent runtime with the real tool service and sandbox manager (real dockerd and
 * bwrap), driven by the OpenAI emulator: what the tools-sandbox tests share.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import type { RunOutcome } from "../src/agent/index.js";
import { configSchema, type PalisadeConfigInput } from "../src/config/index.js";
import { type AttachedAgentRuntime, attachAgentRuntime } from "../src/gateway/process/agent-runtime.js";
import type { SandboxManager } from "../src/sandbox/index.js";
import { type AuditRecord, listAudit, openStore, type Store } from "../src/store/index.js";
import { FAST_PROVIDER } from "./emulators/harness.js";
import type { ReplyTurn } from "./emulators/llm-server.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { tempDir } from "./fixtures/sandbox/helpers.js";

/** A running runtime. */
export interface SandboxAgents {
  readonly emu: OpenAIEmulator;
  readonly agents: AttachedAgentRuntime;
  readonly store: Store;
  /** Temp state dir (workspaces live under it). */
  readonly dir: string;
  /** Runs one message; returns the outcome. */
  run(message: string, target?: { agentId?: string; sessionKey?: string }): Promise<RunOutcome | undefined>;
  /** Tool results of the current run the model saw in the last request, in order. */
  results(): string[];
  /** `tool.call` audit records, oldest first. */
  audits(): AuditRecord[];
  /** Destroys sandboxes and closes everything. */
  close(): Promise<void>;
}

/** Scripted turns: one tool call per turn, then a final text. */
export function calls(...list: Array<{ name: string; args: unknown }>): ReplyTurn[] {
  return [...list.map((c, i) => ({ toolCalls: [{ id: `c${i}`, ...c }] })), { text: "done" }];
}

/** The exec tool's JSON result (or the error text in `error`). */
export function parsed(text: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(text ?? "") as Record<string, unknown>;
  } catch {
    return { error: text };
  }
}

/** Starts a runtime with `agents` (each workspace under the temp dir) and `tools` config. */
export async function startSandboxAgents(
  agents: (dir: string) => NonNullable<PalisadeConfigInput["agents"]>,
  tools: PalisadeConfigInput["tools"] = {},
  seams: { sandboxes?: (dir: string) => SandboxManager; session?: PalisadeConfigInput["session"] } = {},
): Promise<SandboxAgents> {
  const emu = await startOpenAIEmulator();
  const dir = await tempDir("tsb");
  mkdirSync(join(dir, "workspace"), { recursive: true });
  const store = openStore({ file: join(dir, "state.sqlite") });
  const config = configSchema.parse({
    models: {
      providers: {
        emu: { baseUrl: emu.baseUrl, apiKey: "test-key", api: "openai-completions", models: [{ id: "m1" }] },
      },
    },
    agents: agents(dir),
    tools,
    ...(seams.session === undefined ? {} : { session: seams.session }),
  });
  const runtime = await attachAgentRuntime({
    config,
    env: {},
    stateDir: dir,
    logger: pino({ level: process.env.DBG ? "warn" : "silent" }),
    store,
    runtime: { provider: FAST_PROVIDER, deltaThrottleMs: 0 },
    tools: seams.sandboxes === undefined ? {} : { sandboxes: seams.sandboxes(dir) },
  });
  await runtime.startSandboxes();
  let n = 0;
  return {
    emu,
    agents: runtime,
    store,
    dir,
    async run(message, target = {}) {
      const started = runtime.service.start({ message, idempotencyKey: `k${n++}`, ...target });
      return (await runtime.service.wait(started.runId, 60_000)).outcome;
    },
    results() {
      const last = emu.requests.at(-1)?.body as { messages: Array<{ role: string; content: unknown }> };
      const from = last.messages.findLastIndex((m) => m.role === "user");
      return last.messages
        .slice(from + 1)
        .filter((m) => m.role === "tool")
        .map((m) => String(m.content));
    },
    audits: () => listAudit(store, { limit: 1000 }).filter((r) => r.type === "tool.call"),
    async close() {
      await runtime.stopSandboxes();
      runtime.close();
      store.close();
      await emu.close();
    },
  };
}
