import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, runAgent, type Tool } from "../src/agent/index.js";
import { createModelRegistry, type ProviderApi, type ResolvedModel } from "../src/providers/index.js";
import { type AnthropicEmulator, startAnthropicEmulator } from "./emulators/anthropic.js";
import type { Emulator } from "./emulators/llm-server.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";

const open: Emulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function emulatorFor(api: ProviderApi): Promise<OpenAIEmulator | AnthropicEmulator> {
  const emu = api === "anthropic-messages" ? await startAnthropicEmulator() : await startOpenAIEmulator();
  open.push(emu);
  return emu;
}

function chainFor(
  entries: Array<{ id: string; emu: { baseUrl: string }; api: ProviderApi }>,
  refs: string[],
) {
  const providers = Object.fromEntries(
    entries.map((e) => [e.id, { baseUrl: e.emu.baseUrl, apiKey: "test-key", api: e.api }]),
  );
  return createModelRegistry({ providers, env: {}, fetch: globalThis.fetch }).chain({
    primary: refs[0] as string,
    fallbacks: refs.slice(1),
  });
}

/** Sleeps recorded, never waited for. */
function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const weather = defineTool({
  name: "get_weather",
  description: "Weather for a city",
  params: z.object({ city: z.string().min(1) }),
  execute: (_ctx, args) => ({ city: args.city, tempC: 21 }),
});

const APIS: ProviderApi[] = ["openai-completions", "openai-responses", "anthropic-messages"];

describe.each(APIS)("runAgent through %s", (api) => {
  it.each([true, false])("answers with text (stream=%s)", async (stream) => {
    const emu = await emulatorFor(api);
    emu.script({ text: "Hi there, friend" });
    const deltas: string[] = [];
    const r = await runAgent({
      models: chainFor([{ id: "p", emu, api }], ["p/m"]),
      system: "sys",
      message: "hello",
      provider: { stream },
      onDelta: (d) => deltas.push(d),
    });
    expect(r).toMatchObject({ text: "Hi there, friend", finishReason: "stop", steps: 1 });
    expect(deltas.join("")).toBe("Hi there, friend");
    expect(r.error).toBeUndefined();
    expect(r.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("does a tool round trip and sums usage", async () => {
    const emu = await emulatorFor(api);
    emu.script(
      {
        toolCalls: [{ id: "call_a", name: "get_weather", args: { city: "Oslo" } }],
        usage: { input: 20, output: 7 },
      },
      { text: "It is 21C in Oslo.", usage: { input: 40, output: 9 } },
    );
    const seen: string[] = [];
    const r = await runAgent({
      models: chainFor([{ id: "p", emu, api }], ["p/m"]),
      message: "weather in Oslo?",
      tools: [weather as Tool],
      onToolCall: (c) => seen.push(`call:${c.toolName}`),
      onToolResult: (c) => seen.push(`result:${c.ok}`),
    });
    expect(r.text).toBe("It is 21C in Oslo.");
    expect(r.steps).toBe(2);
    expect(seen).toEqual(["call:get_weather", "result:true"]);
    expect(r.toolCalls[0]).toMatchObject({ toolName: "get_weather", input: { city: "Oslo" }, ok: true });
    expect(r.usage).toMatchObject({ inputTokens: 60, outputTokens: 16, totalTokens: 76 });
    expect(emu.requests).toHaveLength(2);
    const second = JSON.stringify(emu.requests[1]?.body);
    expect(second).toContain("call_a");
    expect(second).toContain("tempC");
    // Only the given tool is offered.
    expect(JSON.stringify(emu.requests[0]?.body.tools)).toContain("get_weather");
    expect(r.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
  });

  it("refuses invalid tool args and tells the model, without running the tool", async () => {
    const emu = await emulatorFor(api);
    let runs = 0;
    const tool = defineTool({ ...weather, execute: () => ++runs });
    emu.script({ toolCalls: [{ id: "call_b", name: "get_weather", args: { city: 42 } }] }, { text: "sorry" });
    const r = await runAgent({
      models: chainFor([{ id: "p", emu, api }], ["p/m"]),
      message: "x",
      tools: [tool as Tool],
    });
    expect(runs).toBe(0);
    expect(r.toolCalls[0]).toMatchObject({ ok: false });
    expect(r.toolCalls[0]?.output).toMatch(/Invalid arguments for get_weather: city/);
    expect(JSON.stringify(emu.requests[1]?.body)).toContain("Invalid arguments for get_weather");
    expect(r.text).toBe("sorry");
  });
});

describe.each(APIS)("failure handling through %s", (api) => {
  it("retries a 429 with Retry-After and a stream cut mid tool call, then answers", async () => {
    const emu = await emulatorFor(api);
    emu.script(
      { status: 429, retryAfter: "2" },
      { toolCalls: [{ name: "get_weather", args: { city: "Lima" } }], cutAfterEvents: 3 },
      { toolCalls: [{ name: "get_weather", args: { city: "Lima" } }] },
      { text: "Lima is warm." },
    );
    const { waits, sleep } = fakeSleep();
    const r = await runAgent({
      models: chainFor([{ id: "p", emu, api }], ["p/m"]),
      message: "x",
      tools: [weather as Tool],
      provider: { sleep, random: () => 0 },
    });
    expect(r.text).toBe("Lima is warm.");
    expect(emu.requests).toHaveLength(4);
    expect(waits).toEqual([2000, 0]);
    expect(r.toolCalls).toHaveLength(1);
  });

  it("stops promptly on abort while the stream stalls", async () => {
    const emu = await emulatorFor(api);
    emu.script({ text: "a long answer in many pieces", chunks: 6, stallAfterEvents: 4 });
    const ctrl = new AbortController();
    const r = await runAgent({
      models: chainFor([{ id: "p", emu, api }], ["p/m"]),
      message: "x",
      abortSignal: ctrl.signal,
      onDelta: () => ctrl.abort(),
    });
    expect(r.finishReason).toBe("aborted");
    expect(emu.requests).toHaveLength(1);
  });
});

describe("runAgent limits and failures", () => {
  const oai = async () => {
    const emu = await emulatorFor("openai-completions");
    return { emu, models: chainFor([{ id: "p", emu, api: "openai-completions" }], ["p/m"]) };
  };

  it("refuses unknown tools and bad JSON, and caps big results with a note", async () => {
    const { emu, models } = await oai();
    const big = defineTool({
      name: "big",
      description: "big",
      params: z.object({}),
      execute: () => "x".repeat(500),
    });
    emu.script(
      {
        toolCalls: [
          { name: "rm_rf", args: {} },
          { name: "big", args: "{not json" },
          { name: "big", args: {} },
        ],
      },
      { text: "done" },
    );
    const r = await runAgent({ models, message: "go", tools: [big as Tool], maxToolResultChars: 100 });
    expect(r.toolCalls.map((c) => c.ok)).toEqual([false, false, true]);
    expect(r.toolCalls[0]?.output).toMatch(/Unknown tool "rm_rf"/);
    expect(r.toolCalls[2]?.truncated).toBe(true);
    expect(r.toolCalls[2]?.output).toMatch(/\[truncated: 400 more characters not shown\]$/);
    expect(r.text).toBe("done");
  });

  it("stops at max steps and answers the pending tool calls in history", async () => {
    const { emu, models } = await oai();
    const call = { toolCalls: [{ name: "get_weather", args: { city: "Rome" } }] };
    emu.script(call, call, call, call);
    const r = await runAgent({ models, message: "loop", tools: [weather as Tool], maxSteps: 3 });
    expect(r.finishReason).toBe("max-steps");
    expect(r.steps).toBe(3);
    expect(emu.requests).toHaveLength(3);
    expect(r.toolCalls).toHaveLength(2);
    expect(r.messages.at(-1)?.role).toBe("tool");
  });

  it("aborts promptly mid-stream and keeps the partial text", async () => {
    const { emu, models } = await oai();
    emu.script({ text: "one two three four five six seven eight", chunks: 8, stallAfterEvents: 3 });
    const ctrl = new AbortController();
    const r = await runAgent({
      models,
      message: "talk",
      abortSignal: ctrl.signal,
      onDelta: () => ctrl.abort(),
    });
    expect(r.finishReason).toBe("aborted");
    expect(r.error?.code).toBe("PAL_AGENT_ABORTED");
    expect(r.text.length).toBeGreaterThan(0);
    expect(emu.requests).toHaveLength(1);
  });

  it("aborts a tool that ignores its signal", async () => {
    const { emu, models } = await oai();
    const ctrl = new AbortController();
    const stuck = defineTool({
      name: "stuck",
      description: "never returns",
      params: z.object({}),
      execute: () => {
        ctrl.abort();
        return new Promise(() => {});
      },
    });
    emu.script({ toolCalls: [{ name: "stuck", args: {} }] });
    const r = await runAgent({ models, message: "x", tools: [stuck as Tool], abortSignal: ctrl.signal });
    expect(r.finishReason).toBe("aborted");
    expect(r.messages.at(-1)?.role).toBe("tool");
  });

  it("times out the run and says so", async () => {
    const { emu, models } = await oai();
    emu.script({ hang: true });
    const r = await runAgent({ models, message: "x", timeoutMs: 50 });
    expect(r.finishReason).toBe("timeout");
    expect(r.error?.code).toBe("PAL_AGENT_TIMEOUT");
    expect(r.text).toMatch(/took too long/);
  });

  it("retries a 429 after its Retry-After, then succeeds", async () => {
    const { emu, models } = await oai();
    emu.script({ status: 429, retryAfter: "7" }, { text: "ok now" });
    const { waits, sleep } = fakeSleep();
    const r = await runAgent({ models, message: "x", provider: { sleep } });
    expect(r.text).toBe("ok now");
    expect(emu.requests).toHaveLength(2);
    expect(waits).toEqual([7000]);
  });

  it("backs off with jitter on 500s and falls back to the next model", async () => {
    const a = await emulatorFor("openai-completions");
    const b = await emulatorFor("anthropic-messages");
    a.script({ status: 500 }, { status: 500 }, { status: 503 });
    b.script({ text: "from the fallback" });
    const { waits, sleep } = fakeSleep();
    const failures: string[] = [];
    const r = await runAgent({
      models: chainFor(
        [
          { id: "a", emu: a, api: "openai-completions" },
          { id: "b", emu: b, api: "anthropic-messages" },
        ],
        ["a/m", "b/m"],
      ),
      message: "x",
      provider: {
        sleep,
        random: () => 0.5,
        baseDelayMs: 100,
        onAttemptFailed: (f) => failures.push(f.detail),
      },
    });
    expect(r.text).toBe("from the fallback");
    expect(r.modelRefs).toEqual(["b/m"]);
    expect(a.requests).toHaveLength(3);
    expect(waits).toEqual([50, 100]);
    expect(failures[0]).toMatch(/^HTTP 500/);
  });

  it("retries a stream cut before any text", async () => {
    const { emu, models } = await oai();
    emu.script(
      { toolCalls: [{ name: "get_weather", args: { city: "Paris" } }], cutAfterEvents: 2 },
      { text: "fine" },
    );
    const { sleep } = fakeSleep();
    const r = await runAgent({ models, message: "x", tools: [weather as Tool], provider: { sleep } });
    expect(r.error?.message).toBeUndefined();
    expect(r.text).toBe("fine");
    expect(emu.requests).toHaveLength(2);
  });

  it("fails cleanly when a stream is cut after text reached the user", async () => {
    const { emu, models } = await oai();
    emu.script({ text: "partial answer that goes on", chunks: 4, cutAfterEvents: 3 }, { text: "never used" });
    const { sleep } = fakeSleep();
    const r = await runAgent({ models, message: "x", provider: { sleep } });
    expect(r.finishReason).toBe("error");
    expect(r.text).toMatch(/^partial answer/);
    expect(r.text).toMatch(/Sorry/);
    expect(emu.requests).toHaveLength(1);
  });

  it("gives up on a hanging request after the stall timeout, never hangs", async () => {
    const { emu, models } = await oai();
    emu.script({ hang: true }, { hang: true });
    const { sleep } = fakeSleep();
    const r = await runAgent({
      models,
      message: "x",
      provider: { sleep, stallTimeoutMs: 50, maxAttempts: 2 },
    });
    expect(r.finishReason).toBe("error");
    expect(emu.requests).toHaveLength(2);
    expect(r.error?.message).toMatch(/sent nothing for 50 ms/);
  });

  it("apologizes on total failure and keeps the real error for the operator", async () => {
    const { emu, models } = await oai();
    emu.script({ status: 500, message: "upstream exploded" }, { status: 500, message: "upstream exploded" });
    const { sleep } = fakeSleep();
    const r = await runAgent({ models, message: "x", provider: { sleep, maxAttempts: 2 } });
    expect(r.finishReason).toBe("error");
    expect(r.text).toBe("Sorry, I can't reach the language model right now. Please try again in a moment.");
    expect(r.error?.code).toBe("PAL_PROVIDER_ALL_FAILED");
    expect(r.error?.message).toMatch(/upstream exploded/);
  });

  it("tells the user how to configure a model when none is", async () => {
    const r = await runAgent({ models: [] as ResolvedModel[], message: "x" });
    expect(r.error?.code).toBe("PAL_PROVIDER_NO_MODEL");
    expect(r.text).toMatch(/agents\.defaults\.model/);
  });
});
