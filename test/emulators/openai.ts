/**
 * OpenAI HTTP API emulator: Chat Completions (`POST /v1/chat/completions`) and Responses
 * (`POST /v1/responses`), JSON and SSE, tool calls and usage, driven by the real AI SDK providers.
 */
import {
  argsJson,
  type Dialect,
  type Emulator,
  type EmulatorOptions,
  type RecordedRequest,
  type ReplyTurn,
  splitText,
  startEmulator,
} from "./llm-server.js";

const callId = (turnCall: { id?: string }, i: number) => turnCall.id ?? `call_${i + 1}`;

function usageOf(turn: ReplyTurn) {
  return turn.usage ?? { input: 10, output: 5 };
}

function chatJson(req: RecordedRequest, turn: ReplyTurn) {
  const u = usageOf(turn);
  const calls = turn.toolCalls ?? [];
  return {
    id: "chatcmpl-emu",
    object: "chat.completion",
    created: 1_700_000_000,
    model: req.body?.model ?? "emu",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: turn.text ?? null,
          ...(calls.length === 0
            ? {}
            : {
                tool_calls: calls.map((c, i) => ({
                  id: callId(c, i),
                  type: "function",
                  function: { name: c.name, arguments: argsJson(c) },
                })),
              }),
        },
        finish_reason: turn.finish ?? (calls.length > 0 ? "tool_calls" : "stop"),
      },
    ],
    usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output },
  };
}

function chatEvents(req: RecordedRequest, turn: ReplyTurn) {
  const base = {
    id: "chatcmpl-emu",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: req.body?.model,
  };
  const chunk = (delta: unknown, finish: string | null = null) => ({
    data: { ...base, choices: [{ index: 0, delta, finish_reason: finish }] },
  });
  const calls = turn.toolCalls ?? [];
  const out: Array<{ data: unknown }> = [chunk({ role: "assistant", content: "" })];
  for (const piece of splitText(turn.text ?? "", turn.chunks ?? 3)) out.push(chunk({ content: piece }));
  calls.forEach((c, i) => {
    out.push(
      chunk({
        tool_calls: [
          { index: i, id: callId(c, i), type: "function", function: { name: c.name, arguments: "" } },
        ],
      }),
    );
    for (const piece of splitText(argsJson(c), 2)) {
      out.push(chunk({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
    }
  });
  out.push(chunk({}, turn.finish ?? (calls.length > 0 ? "tool_calls" : "stop")));
  if (req.body?.stream_options?.include_usage === true) {
    const u = usageOf(turn);
    out.push({
      data: {
        ...base,
        choices: [],
        usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output },
      },
    });
  }
  out.push({ data: "[DONE]" });
  return out;
}

function responsesUsage(turn: ReplyTurn) {
  const u = usageOf(turn);
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.input + u.output,
  };
}

function responsesOutput(turn: ReplyTurn) {
  const items: unknown[] = [];
  if (turn.text !== undefined) {
    items.push({
      type: "message",
      id: "msg_emu",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: turn.text, annotations: [] }],
    });
  }
  (turn.toolCalls ?? []).forEach((c, i) => {
    items.push({
      type: "function_call",
      id: `fc_${i + 1}`,
      call_id: callId(c, i),
      name: c.name,
      arguments: argsJson(c),
      status: "completed",
    });
  });
  return items;
}

function responsesJson(req: RecordedRequest, turn: ReplyTurn) {
  return {
    id: "resp_emu",
    object: "response",
    created_at: 1_700_000_000,
    status: "completed",
    model: req.body?.model ?? "emu",
    output: responsesOutput(turn),
    incomplete_details: null,
    usage: responsesUsage(turn),
  };
}

function responsesEvents(req: RecordedRequest, turn: ReplyTurn) {
  let seq = 0;
  const ev = (type: string, payload: Record<string, unknown>) => ({
    event: type,
    data: { type, sequence_number: seq++, ...payload },
  });
  const response = { id: "resp_emu", object: "response", created_at: 1_700_000_000, model: req.body?.model };
  const out = [ev("response.created", { response: { ...response, status: "in_progress" } })];
  let index = 0;
  if (turn.text !== undefined) {
    const item = { type: "message", id: "msg_emu", role: "assistant", status: "in_progress", content: [] };
    out.push(ev("response.output_item.added", { output_index: index, item }));
    for (const delta of splitText(turn.text, turn.chunks ?? 3)) {
      out.push(
        ev("response.output_text.delta", {
          item_id: "msg_emu",
          output_index: index,
          content_index: 0,
          delta,
        }),
      );
    }
    const done = responsesOutput({ text: turn.text })[0] as Record<string, unknown>;
    out.push(ev("response.output_item.done", { output_index: index, item: done }));
    index++;
  }
  (turn.toolCalls ?? []).forEach((c, i) => {
    const id = `fc_${i + 1}`;
    const item = { type: "function_call", id, call_id: callId(c, i), name: c.name, arguments: "" };
    out.push(
      ev("response.output_item.added", { output_index: index, item: { ...item, status: "in_progress" } }),
    );
    for (const delta of splitText(argsJson(c), 2)) {
      out.push(ev("response.function_call_arguments.delta", { item_id: id, output_index: index, delta }));
    }
    out.push(
      ev("response.output_item.done", {
        output_index: index,
        item: { ...item, arguments: argsJson(c), status: "completed" },
      }),
    );
    index++;
  });
  const incomplete = turn.finish === "length" ? { reason: "max_output_tokens" } : null;
  out.push(
    ev(incomplete === null ? "response.completed" : "response.incomplete", {
      response: {
        ...response,
        status: "completed",
        incomplete_details: incomplete,
        usage: responsesUsage(turn),
      },
    }),
  );
  return out;
}

const openaiDialect: Dialect = {
  auth(req, apiKey) {
    const got = req.headers.authorization;
    return got === `Bearer ${apiKey}` ? undefined : `invalid api key: ${String(got)}`;
  },
  route(req) {
    if (req.method !== "POST") return undefined;
    if (req.path === "/v1/chat/completions") return "chat";
    if (req.path === "/v1/responses") return "responses";
    return undefined;
  },
  errorBody: (status, message) => ({
    error: {
      message,
      type: status === 429 ? "rate_limit_error" : "server_error",
      param: null,
      code: String(status),
    },
  }),
  json: (route, req, turn) => (route === "chat" ? chatJson(req, turn) : responsesJson(req, turn)),
  events: (route, req, turn) => (route === "chat" ? chatEvents(req, turn) : responsesEvents(req, turn)),
};

/** An OpenAI emulator; the SDK's base URL is `${origin}/v1`. */
export interface OpenAIEmulator extends Emulator {
  /** `${origin}/v1`, what `models.providers.<id>.baseUrl` holds. */
  readonly baseUrl: string;
}

/** Starts an OpenAI API emulator on 127.0.0.1, port 0. */
export async function startOpenAIEmulator(opts: EmulatorOptions = {}): Promise<OpenAIEmulator> {
  const emu = await startEmulator(openaiDialect, opts);
  return Object.assign(emu, { baseUrl: `${emu.origin}/v1` });
}
