/**
 * One model request made at the provider interface (`LanguageModelV3.doGenerate`/`doStream`)
 * rather than through `generateText`/`streamText`.
 *
 * Why: `generateText` re-validates the whole conversation against the SDK's message schema on
 * every call. Palisade's history is already validated once, when it is decoded from the store
 * (or built by Palisade itself), so with a 400-message context that second check was about
 * 0.9 ms of CPU and over 1 MB of garbage per model call: the largest single cause of GC pauses
 * under load. The SDK's own prompt conversion and tool preparation (`ai/internal`) are still
 * used, so what reaches the provider is what `generateText` would send.
 */
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3StreamPart,
  SharedV3ProviderMetadata,
} from "@ai-sdk/provider";
import type { AssistantModelMessage, FinishReason, LanguageModel, ModelMessage, ToolSet } from "ai";
import type { ModelStepRequest, ModelToolCall } from "./call.js";
import type { Sdk } from "./sdk.js";

/** What one request produced, before pricing. */
export interface RawStepResult {
  readonly text: string;
  readonly toolCalls: readonly ModelToolCall[];
  readonly finishReason: FinishReason;
  readonly usage: ReturnType<Sdk["asLanguageModelUsage"]> | undefined;
  /** The assistant message to append to the conversation (none when the model said nothing). */
  readonly messages: readonly ModelMessage[];
}

type AssistantPart = Exclude<AssistantModelMessage["content"], string>[number];
type PreparedTools = Awaited<ReturnType<Sdk["prepareToolsAndToolChoice"]>>;

/** Tool definitions converted once per tool set (a run offers the same set on every step). */
const preparedTools = new WeakMap<ToolSet, Promise<PreparedTools>>();

function prepareTools(sdk: Sdk, tools: ToolSet): Promise<PreparedTools> {
  let p = preparedTools.get(tools);
  if (p === undefined) {
    p = sdk.prepareToolsAndToolChoice({ tools, toolChoice: undefined, activeTools: undefined });
    preparedTools.set(tools, p);
    p.catch(() => preparedTools.delete(tools));
  }
  return p;
}

/**
 * The gateway never fetches a URL it finds in a conversation: chat text must not be able to make
 * it download things (the SDK's default would, for URLs the model does not take). A URL part
 * goes to the provider as a URL, for the provider to take or refuse.
 */
const neverDownload = async (reqs: readonly unknown[]) => reqs.map(() => null);

function asV3(model: LanguageModel): LanguageModelV3 {
  if (typeof model === "string" || model.specificationVersion !== "v3") {
    throw new Error("the provider package does not implement the AI SDK's v3 model interface");
  }
  return model;
}

async function callOptions(
  sdk: Sdk,
  model: LanguageModelV3,
  req: ModelStepRequest,
  signal: AbortSignal,
): Promise<LanguageModelV3CallOptions> {
  const prompt = await sdk.convertToLanguageModelPrompt({
    prompt: { ...(req.system === undefined ? {} : { system: req.system }), messages: [...req.messages] },
    supportedUrls: await model.supportedUrls,
    download: neverDownload,
    abortSignal: signal,
  });
  const prepared = req.tools === undefined ? undefined : await prepareTools(sdk, req.tools);
  return {
    prompt,
    ...(prepared?.tools === undefined ? {} : { tools: prepared.tools }),
    ...(prepared?.toolChoice === undefined ? {} : { toolChoice: prepared.toolChoice }),
    ...(req.maxOutputTokens === undefined ? {} : { maxOutputTokens: req.maxOutputTokens }),
    abortSignal: signal,
  };
}

/** Tool arguments as the model sent them: parsed JSON, or the raw text with the reason. */
function parseToolCall(call: { toolCallId: string; toolName: string; input: string }): ModelToolCall {
  const base = { toolCallId: call.toolCallId, toolName: call.toolName };
  if (call.input.trim() === "") return { ...base, input: {} };
  try {
    return { ...base, input: JSON.parse(call.input) as unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : "the arguments are not valid JSON";
    return { ...base, input: call.input, invalidReason: reason };
  }
}

function withOptions<T extends object>(part: T, meta: SharedV3ProviderMetadata | undefined): T {
  return meta === undefined ? part : { ...part, providerOptions: meta };
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bytesToBase64(data: string | Uint8Array): string {
  return typeof data === "string" ? data : Buffer.from(data).toString("base64");
}

/** Builds the result from the provider's content parts (the order the model produced them). */
function assemble(
  content: readonly LanguageModelV3Content[],
  finishReason: FinishReason,
  usage: RawStepResult["usage"],
): RawStepResult {
  const parts: AssistantPart[] = [];
  const toolCalls: ModelToolCall[] = [];
  let text = "";
  for (const c of content) {
    switch (c.type) {
      case "text":
        if (c.text === "") break;
        text += c.text;
        parts.push(withOptions({ type: "text", text: c.text }, c.providerMetadata));
        break;
      case "reasoning":
        parts.push(withOptions({ type: "reasoning", text: c.text }, c.providerMetadata));
        break;
      case "file":
        parts.push(
          withOptions(
            { type: "file", data: bytesToBase64(c.data), mediaType: c.mediaType },
            c.providerMetadata,
          ),
        );
        break;
      case "tool-call": {
        const call = parseToolCall(c);
        toolCalls.push(call);
        // History must stay valid for the next request (providers want an object here):
        // unparsable or non-object arguments are stored as {}.
        const input = isJsonObject(call.input) ? call.input : {};
        const part = { type: "tool-call" as const, toolCallId: c.toolCallId, toolName: c.toolName, input };
        parts.push(
          withOptions(
            c.providerExecuted === true ? { ...part, providerExecuted: true } : part,
            c.providerMetadata,
          ),
        );
        break;
      }
      default:
        // Sources, provider-executed tool results and approval requests: Palisade offers no
        // provider-side tools, so these carry nothing the conversation needs.
        break;
    }
  }
  const messages: ModelMessage[] = parts.length === 0 ? [] : [{ role: "assistant", content: parts }];
  return { text, toolCalls, finishReason, usage, messages };
}

/** One request answered in one JSON response. */
export async function generateStep(
  sdk: Sdk,
  modelArg: LanguageModel,
  req: ModelStepRequest,
  signal: AbortSignal,
): Promise<RawStepResult> {
  const model = asV3(modelArg);
  const r = await model.doGenerate(await callOptions(sdk, model, req, signal));
  return assemble(r.content, r.finishReason.unified, sdk.asLanguageModelUsage(r.usage));
}

/**
 * One request streamed: `onDelta` gets text as it arrives and `kick` is called on every part
 * (the caller's stall timer). An `error` part fails the step.
 */
export async function streamStep(
  sdk: Sdk,
  modelArg: LanguageModel,
  req: ModelStepRequest,
  signal: AbortSignal,
  onDelta: (text: string) => void,
  kick: () => void,
): Promise<RawStepResult> {
  const model = asV3(modelArg);
  const { stream } = await model.doStream(await callOptions(sdk, model, req, signal));
  const content: LanguageModelV3Content[] = [];
  const open = new Map<
    string,
    { type: "text" | "reasoning"; text: string; providerMetadata?: SharedV3ProviderMetadata }
  >();
  let finishReason: FinishReason = "other";
  let usage: RawStepResult["usage"];
  const openPart = (kind: "text" | "reasoning", id: string, meta: SharedV3ProviderMetadata | undefined) => {
    const part = { type: kind, text: "", ...(meta === undefined ? {} : { providerMetadata: meta }) };
    open.set(`${kind}:${id}`, part);
    content.push(part);
    return part;
  };
  const onPart = (part: LanguageModelV3StreamPart): void => {
    switch (part.type) {
      case "text-start":
      case "reasoning-start":
        openPart(part.type === "text-start" ? "text" : "reasoning", part.id, part.providerMetadata);
        break;
      case "text-delta":
      case "reasoning-delta": {
        const kind = part.type === "text-delta" ? "text" : "reasoning";
        const entry = open.get(`${kind}:${part.id}`) ?? openPart(kind, part.id, undefined);
        entry.text += part.delta;
        if (part.providerMetadata !== undefined) entry.providerMetadata = part.providerMetadata;
        if (kind === "text" && part.delta !== "") onDelta(part.delta);
        break;
      }
      case "text-end":
      case "reasoning-end": {
        const key = `${part.type === "text-end" ? "text" : "reasoning"}:${part.id}`;
        const entry = open.get(key);
        if (entry !== undefined && part.providerMetadata !== undefined)
          entry.providerMetadata = part.providerMetadata;
        open.delete(key);
        break;
      }
      case "tool-call":
      case "file":
        content.push(part);
        break;
      case "finish":
        finishReason = part.finishReason.unified;
        usage = sdk.asLanguageModelUsage(part.usage);
        break;
      case "error":
        throw part.error;
      default:
        break;
    }
  };
  for await (const part of stream) {
    kick();
    onPart(part);
  }
  return assemble(content, finishReason, usage);
}
