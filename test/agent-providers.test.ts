import { generateText, jsonSchema, type ModelMessage, streamText, type ToolSet } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { PalisadeError } from "../src/core/errors.js";
import {
  createModelRegistry,
  type ProviderApi,
  type ProviderConfig,
  parseRetryAfter,
  streamModelStep,
} from "../src/providers/index.js";
import { startAnthropicEmulator } from "./emulators/anthropic.js";
import type { Emulator } from "./emulators/llm-server.js";
import { startOpenAIEmulator } from "./emulators/openai.js";

const open: Emulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

type Flavour = { name: string; provider: string; api: ProviderApi; path: string };
const FLAVOURS: Flavour[] = [
  {
    name: "openai chat (@ai-sdk/openai)",
    provider: "openai",
    api: "openai-completions",
    path: "/v1/chat/completions",
  },
  {
    name: "openai-compatible chat",
    provider: "local",
    api: "openai-completions",
    path: "/v1/chat/completions",
  },
  { name: "openai responses", provider: "oai", api: "openai-responses", path: "/v1/responses" },
  { name: "anthropic messages", provider: "claude", api: "anthropic-messages", path: "/v1/messages" },
];

async function setup(f: Flavour, extra: Record<string, ProviderConfig> = {}) {
  const emu = f.api === "anthropic-messages" ? await startAnthropicEmulator() : await startOpenAIEmulator();
  open.push(emu);
  const registry = createModelRegistry({
    providers: { [f.provider]: { baseUrl: emu.baseUrl, apiKey: "test-key", api: f.api }, ...extra },
    env: {},
    fetch: globalThis.fetch,
  });
  return { emu, registry };
}

describe.each(FLAVOURS)("text through $name", (f) => {
  it.each([true, false])("answers (stream=%s) with usage", async (stream) => {
    const { emu, registry } = await setup(f);
    emu.script({ text: "Hello from the emulator", usage: { input: 12, output: 4 } });
    const deltas: string[] = [];
    const r = await streamModelStep(
      registry.chain(`${f.provider}/m1`),
      { system: "be brief", messages: [{ role: "user", content: "hi" }] },
      { stream, onDelta: (d) => deltas.push(d) },
    );
    expect(r.text).toBe("Hello from the emulator");
    expect(deltas.join("")).toBe("Hello from the emulator");
    if (stream) expect(deltas.length).toBeGreaterThan(1);
    expect(r.usage).toMatchObject({ inputTokens: 12, outputTokens: 4, totalTokens: 16 });
    expect(r.finishReason).toBe("stop");
    expect(emu.requests).toHaveLength(1);
    expect(emu.requests[0]?.path).toBe(f.path);
    expect(emu.requests[0]?.body.model).toBe("m1");
    expect(JSON.stringify(emu.requests[0]?.body)).toContain("be brief");
  });
});

describe("non-streaming steps", () => {
  it("streams the later attempts after a non-streaming one hit the stall timeout", async () => {
    const f = FLAVOURS[1] as Flavour;
    const { emu, registry } = await setup(f);
    emu.script({ hang: true }, { text: "a long answer after all", chunks: 3 });
    const failures: string[] = [];
    const r = await streamModelStep(
      registry.chain(`${f.provider}/m1`),
      { messages: [{ role: "user", content: "hi" }] },
      {
        stream: false,
        stallTimeoutMs: 50,
        sleep: async () => {},
        onAttemptFailed: (x) => failures.push(x.detail),
      },
    );
    expect(r.text).toBe("a long answer after all");
    expect(r.attempts).toBe(2);
    expect(failures[0]).toMatch(/sent nothing for 50 ms/);
    expect(emu.requests.map((q) => q.body.stream === true)).toEqual([false, true]);
  });

  it("stays non-streaming after other failures", async () => {
    const f = FLAVOURS[1] as Flavour;
    const { emu, registry } = await setup(f);
    emu.script({ status: 500 }, { text: "fine" });
    const r = await streamModelStep(
      registry.chain(`${f.provider}/m1`),
      { messages: [{ role: "user", content: "hi" }] },
      { stream: false, sleep: async () => {} },
    );
    expect(r.text).toBe("fine");
    expect(emu.requests.map((q) => q.body.stream === true)).toEqual([false, false]);
  });
});

describe("model registry", () => {
  it("uses built-in providers with their env var and keeps keys out of errors", () => {
    const reg = createModelRegistry({ env: {}, fetch: globalThis.fetch });
    expect(() => reg.resolve("anthropic/claude-x")).toThrow(/ANTHROPIC_API_KEY/);
    const withKey = createModelRegistry({
      env: { OPENAI_API_KEY: "sk-abcdefghijkl" },
      fetch: globalThis.fetch,
    });
    expect(withKey.resolve("openai/gpt-x").api).toBe("openai-responses");
    expect(withKey.secrets()).toEqual(["sk-abcdefghijkl"]);
  });

  it("rejects bad refs and unknown providers with typed errors", () => {
    const reg = createModelRegistry({ env: {}, fetch: globalThis.fetch });
    expect(() => reg.resolve("nomodel")).toThrow(expect.objectContaining({ code: "PAL_PROVIDER_BAD_REF" }));
    expect(() => reg.resolve("ghost/m")).toThrow(expect.objectContaining({ code: "PAL_PROVIDER_UNKNOWN" }));
  });

  it("resolves {primary, fallbacks} in order, dedupes, keeps slashes in model ids", () => {
    const reg = createModelRegistry({
      providers: {
        router: { baseUrl: "http://127.0.0.1:9/v1", models: [{ id: "a/b", contextWindow: 1000 }] },
      },
      mode: "replace",
      env: {},
      fetch: globalThis.fetch,
    });
    const chain = reg.chain({ primary: "router/a/b", fallbacks: ["router/c", "router/a/b"] });
    expect(chain.map((m) => m.ref)).toEqual(["router/a/b", "router/c"]);
    expect(chain[0]?.info.contextWindow).toBe(1000);
    expect(reg.providerIds()).toEqual(["router"]);
  });

  it("parses Retry-After seconds, dates and -ms", () => {
    expect(parseRetryAfter({ "retry-after": "3" }, 0)).toBe(3000);
    expect(parseRetryAfter({ "Retry-After-Ms": "250" }, 0)).toBe(250);
    expect(parseRetryAfter({ "retry-after": new Date(10_000).toUTCString() }, 4000)).toBe(6000);
    expect(parseRetryAfter({}, 0)).toBeUndefined();
  });

  it("never puts the API key in an error message, even when the server echoes it", async () => {
    const emu = await startOpenAIEmulator({ echoAuthInErrors: true });
    open.push(emu);
    const key = "sk-live-SUPERSECRET123";
    const reg = createModelRegistry({
      providers: { p: { baseUrl: emu.baseUrl, apiKey: key, api: "openai-completions" } },
      env: {},
      fetch: globalThis.fetch,
    });
    const err = await streamModelStep(
      reg.chain("p/m"),
      { messages: [{ role: "user", content: "x" }] },
      {
        secrets: reg.secrets(),
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PalisadeError);
    expect(emu.requests).toHaveLength(1); // 401 is not retried
    const text = `${(err as Error).message} ${JSON.stringify((err as PalisadeError).details)}`;
    expect(text).toContain("401");
    expect(text).not.toContain("SUPERSECRET");
  });
});

// Palisade calls the provider interface directly (src/providers/model-step.ts) instead of
// `generateText`/`streamText`. These compare both paths on the same scripted answers: the
// request each sends, and the answer and history message each produces, must be the same.
describe.each(FLAVOURS)("direct model calls match the AI SDK's own through $name", (f) => {
  const history: ModelMessage[] = [
    { role: "user", content: "what is the weather in Oslo?" },
    {
      role: "assistant",
      content: [
        { type: "text", text: "Checking." },
        { type: "tool-call", toolCallId: "call_0", toolName: "get_weather", input: { city: "Oslo" } },
      ],
    },
    {
      role: "tool",
      content: [
        {
          type: "tool-result",
          toolCallId: "call_0",
          toolName: "get_weather",
          output: { type: "json", value: { tempC: 21 } },
        },
      ],
    },
    { role: "user", content: [{ type: "text", text: "and in Bergen?" }] },
  ];
  const tools: ToolSet = {
    get_weather: {
      description: "Weather for a city",
      inputSchema: jsonSchema({
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
      }),
    },
  };
  const turn = {
    text: "Let me look that up.",
    toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Bergen" } }],
    usage: { input: 30, output: 9 },
  };

  it.each([true, false])("for text with a tool call (stream=%s)", async (stream) => {
    const { emu, registry } = await setup(f);
    emu.script(turn, turn);
    const [model] = registry.chain(`${f.provider}/m1`);
    if (model === undefined) throw new Error("no model");
    const ours = await streamModelStep([model], { system: "sys", messages: history, tools }, { stream });
    const settings = {
      model: await model.languageModel(),
      system: "sys",
      messages: history,
      tools,
      maxRetries: 0,
    };
    const sdk = stream ? streamText(settings) : await generateText(settings);
    const theirs = {
      text: await sdk.text,
      toolCalls: (await sdk.toolCalls).map((c) => ({
        toolCallId: c.toolCallId,
        toolName: c.toolName,
        input: c.input,
      })),
      finishReason: await sdk.finishReason,
      messages: (await sdk.response).messages.filter((m) => m.role === "assistant"),
    };
    expect(emu.requests).toHaveLength(2);
    expect(emu.requests[0]?.body).toEqual(emu.requests[1]?.body);
    expect(ours.text).toBe(theirs.text);
    expect(ours.toolCalls).toEqual(theirs.toolCalls);
    expect(ours.finishReason).toBe(theirs.finishReason);
    // The SDK writes `providerOptions: undefined` where there is none; JSON (the transcript) drops it.
    expect(JSON.parse(JSON.stringify(ours.messages))).toEqual(JSON.parse(JSON.stringify(theirs.messages)));
    expect(ours.usage).toMatchObject({ inputTokens: 30, outputTokens: 9 });
  });

  it("for arguments that are not JSON (stream=true)", async () => {
    const { emu, registry } = await setup(f);
    const bad = { toolCalls: [{ id: "call_2", name: "get_weather", args: "{city:" }] };
    emu.script(bad, bad);
    const [model] = registry.chain(`${f.provider}/m1`);
    if (model === undefined) throw new Error("no model");
    const ours = await streamModelStep([model], { messages: history, tools }, {});
    const sdk = streamText({ model: await model.languageModel(), messages: history, tools, maxRetries: 0 });
    const theirs = (await sdk.response).messages.filter((m) => m.role === "assistant");
    expect(ours.toolCalls[0]).toMatchObject({ toolCallId: "call_2", input: "{city:" });
    expect(ours.toolCalls[0]?.invalidReason).toBeDefined();
    expect(JSON.parse(JSON.stringify(ours.messages))).toEqual(JSON.parse(JSON.stringify(theirs)));
  });
});

describe("URLs in a conversation", () => {
  it("go to the model as URLs: the gateway does not download them", async () => {
    // The SDK's default downloads a URL the model does not list as supported and inlines the
    // bytes; a gateway should not fetch whatever a chat message points at. The URL is passed
    // on, for the provider to take or refuse.
    const url = "http://files.palisade-test.example/photo.png";
    const f = FLAVOURS.find((x) => x.provider === "local") as Flavour;
    const { emu, registry } = await setup(f);
    emu.script({ text: "ok" });
    const messages: ModelMessage[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "what is in this picture?" },
          { type: "file", data: new URL(url), mediaType: "image/png" },
        ],
      },
    ];
    const r = await streamModelStep(registry.chain(`${f.provider}/m1`), { messages }, { maxAttempts: 1 });
    expect(r.text).toBe("ok");
    expect(JSON.stringify(emu.requests[0]?.body)).toContain(url);
  });
});
