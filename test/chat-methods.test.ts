import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/index.js";
import { type AgentGateway, emuConfig, startAgentGateway } from "./emulators/harness.js";
import { startOpenAIEmulator } from "./emulators/openai.js";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

async function setup(config: Parameters<typeof startAgentGateway>[0], runtime = {}) {
  const h = await startAgentGateway(config, runtime);
  cleanup.push(() => h.close());
  return h;
}

async function emulator() {
  const emu = await startOpenAIEmulator();
  cleanup.push(() => emu.close());
  return emu;
}

let n = 0;
const idem = () => `idem-${process.pid}-${++n}`;

async function send(h: AgentGateway, message: string, sessionKey = "main") {
  const idempotencyKey = idem();
  const res = await h.client.call("chat.send", { sessionKey, message, idempotencyKey });
  expect(res.ok, JSON.stringify(res.error)).toBe(true);
  const runId = (res.payload as { runId: string }).runId;
  return { runId, res, events: () => h.chatEvents(runId) };
}

const textOf = (p: Record<string, unknown>) =>
  ((p.message as { content: Array<{ text: string }> }).content[0] as { text: string }).text;

describe("chat.send", () => {
  it("acks with the run id, streams deltas and a final message after a tool round trip", async () => {
    const emu = await emulator();
    emu.script(
      { toolCalls: [{ name: "session_status", args: {} }] },
      { text: "You are in the main session.", chunks: 3 },
    );
    const h = await setup(emuConfig(emu.baseUrl));
    const { runId, res, events } = await send(h, "where am I?");
    expect(res.payload).toEqual({ runId, status: "started" });
    const evs = await events();
    const final = evs.at(-1) as Record<string, unknown>;
    expect(final).toMatchObject({ runId, sessionKey: "agent:main:main", state: "final", stopReason: "stop" });
    expect(textOf(final)).toBe("You are in the main session.");
    expect(evs.map((e) => e.seq)).toEqual(evs.map((_, i) => i));
    const deltas = evs.filter((e) => e.state === "delta");
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.map((d) => d.deltaText).join("")).toBe("You are in the main session.");
    // The tool result went back to the model.
    const second = emu.requests[1]?.body as { messages: Array<{ role: string; content: string }> };
    const tool = second.messages.find((m) => m.role === "tool");
    expect(JSON.parse(tool?.content ?? "{}")).toMatchObject({
      sessionKey: "agent:main:main",
      agentId: "main",
    });

    const hist = await h.client.call("chat.history", { sessionKey: "main" });
    const msgs = (
      hist.payload as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> }
    ).messages;
    expect(msgs.map((m) => m.role)).toEqual(["user", "assistant", "toolResult", "assistant"]);
    expect(msgs[1]?.content[0]).toMatchObject({ type: "toolCall", name: "session_status" });
  });

  it("replays a repeated idempotency key without a second run", async () => {
    const emu = await emulator();
    emu.script({ text: "once" });
    const h = await setup(emuConfig(emu.baseUrl));
    const params = { sessionKey: "main", message: "hi", idempotencyKey: idem() };
    const a = await h.client.call("chat.send", params);
    await h.chatEvents((a.payload as { runId: string }).runId);
    const b = await h.client.call("chat.send", params);
    expect(b.payload).toEqual(a.payload);
    const c = await h.client.call("chat.send", { ...params, message: "other" });
    expect(c.ok).toBe(false);
    expect(emu.requests).toHaveLength(1);
  });

  it("tells the user how to configure a model when none is configured", async () => {
    const h = await setup({});
    const { events } = await send(h, "hello");
    const [final] = await events();
    expect(final).toMatchObject({ state: "final", stopReason: "no_model" });
    expect(textOf(final as Record<string, unknown>)).toMatch(
      /No model is configured.*agents\.defaults\.model/,
    );
  });

  it("applies a hot-reloaded model config to the next run", async () => {
    const emu = await emulator();
    emu.script({ text: "now configured" });
    const h = await setup({});
    const first = (await (await send(h, "hello")).events())[0] as Record<string, unknown>;
    expect(first.stopReason).toBe("no_model");
    h.agents.reconfigure(configSchema.parse(emuConfig(emu.baseUrl)));
    const final = (await (await send(h, "hello again")).events()).at(-1) as Record<string, unknown>;
    expect(textOf(final)).toBe("now configured");
  });

  it("gives a short apology and logs the real error when the provider fails", async () => {
    const emu = await emulator();
    emu.script({ status: 500, message: "database on fire" }, { status: 500, message: "database on fire" });
    const h = await setup(emuConfig(emu.baseUrl));
    const { events } = await send(h, "hello");
    const [err] = await events();
    expect(err).toMatchObject({ state: "error", errorKind: "unknown" });
    expect(err?.errorMessage).toMatch(/^Sorry/);
    expect(JSON.stringify(err)).not.toContain("database on fire");
    const logged = h.logs.find((l) => l.msg === "agent run failed");
    expect(JSON.stringify(logged)).toContain("database on fire");
    expect(JSON.stringify(h.logs)).not.toContain("test-key");
  });

  it("fails over to the next model when the first one keeps failing", async () => {
    const bad = await emulator();
    const good = await emulator();
    bad.handle(() => ({ status: 500 }));
    good.script({ text: "from the fallback" });
    const config = emuConfig(bad.baseUrl, { model: { primary: "emu/m1", fallbacks: ["good/m2"] } });
    (config.models as { providers: Record<string, unknown> }).providers.good = {
      baseUrl: good.baseUrl,
      apiKey: "test-key",
      api: "openai-completions",
    };
    const h = await setup(config);
    const { events } = await send(h, "hello");
    const final = (await events()).at(-1) as Record<string, unknown>;
    expect(final.state).toBe("final");
    expect(textOf(final)).toBe("from the fallback");
    expect(bad.requests.length).toBe(2);
    const list = await h.client.call("sessions.list", {});
    expect((list.payload as { sessions: Array<Record<string, unknown>> }).sessions[0]).toMatchObject({
      modelProvider: "good",
      model: "m2",
    });
  });

  it("chat.abort stops a streaming run promptly and keeps the partial text", async () => {
    const emu = await emulator();
    emu.script({ text: "a b c d e f g h i j", chunks: 10, delayMs: 200 });
    const h = await setup(emuConfig(emu.baseUrl));
    const { runId } = await send(h, "count slowly");
    const first = await h.client.nextWhere((f) => f.event === "chat");
    expect((first?.payload as { state?: string } | undefined)?.state).toBe("delta");
    const ab = await h.client.call("chat.abort", { sessionKey: "main" });
    expect(ab.payload).toMatchObject({ ok: true, aborted: true, runIds: [runId] });
    const evs = await h.chatEvents(runId);
    expect(evs.at(-1)).toMatchObject({ state: "aborted", stopReason: "aborted" });
    const wait = await h.client.call("agent.wait", { runId, timeoutMs: 1000 });
    expect(wait.payload).toMatchObject({ runId, status: "error", error: "aborted" });
  });

  it("answers chat commands without calling the model", async () => {
    const emu = await emulator();
    const h = await setup(emuConfig(emu.baseUrl));
    for (const [cmd, pattern] of [
      ["/help", /\/new/],
      ["/status", /Session: agent:main:main[\s\S]*Model: emu\/m1/],
      ["/stop", /Nothing is running/],
      ["/new", /new session/],
    ] as const) {
      const { events } = await send(h, cmd);
      const [final] = await events();
      expect(final?.state).toBe("final");
      expect(textOf(final as Record<string, unknown>)).toMatch(pattern);
    }
    expect(emu.requests).toHaveLength(0);
  });
});
