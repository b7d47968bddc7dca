/**
 * Anthropic Messages API emulator (`POST /v1/messages`), JSON and SSE with text and tool_use
 * blocks and usage, driven by the real `@ai-sdk/anthropic` provider.
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

const toolId = (c: { id?: string }, i: number) => c.id ?? `toolu_${i + 1}`;

function stopReason(turn: ReplyTurn): string {
  if (turn.finish !== undefined) return turn.finish === "length" ? "max_tokens" : turn.finish;
  return (turn.toolCalls ?? []).length > 0 ? "tool_use" : "end_turn";
}

function messageJson(req: RecordedRequest, turn: ReplyTurn) {
  const u = turn.usage ?? { input: 10, output: 5 };
  const content: unknown[] = [];
  if (turn.text !== undefined) content.push({ type: "text", text: turn.text });
  (turn.toolCalls ?? []).forEach((c, i) => {
    // The real API always sends an object; a string here is a test sending bad input on purpose.
    content.push({ type: "tool_use", id: toolId(c, i), name: c.name, input: c.args });
  });
  return {
    id: "msg_emu",
    type: "message",
    role: "assistant",
    model: req.body?.model ?? "emu",
    content,
    stop_reason: stopReason(turn),
    stop_sequence: null,
    usage: { input_tokens: u.input, output_tokens: u.output },
  };
}

function messageEvents(req: RecordedRequest, turn: ReplyTurn) {
  const u = turn.usage ?? { input: 10, output: 5 };
  const ev = (type: string, payload: Record<string, unknown> = {}) => ({
    event: type,
    data: { type, ...payload },
  });
  const out = [
    ev("message_start", {
      message: {
        id: "msg_emu",
        type: "message",
        role: "assistant",
        model: req.body?.model ?? "emu",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: u.input, output_tokens: 1 },
      },
    }),
    ev("ping"),
  ];
  let index = 0;
  if (turn.text !== undefined) {
    out.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
    for (const text of splitText(turn.text, turn.chunks ?? 3)) {
      out.push(ev("content_block_delta", { index, delta: { type: "text_delta", text } }));
    }
    out.push(ev("content_block_stop", { index }));
    index++;
  }
  (turn.toolCalls ?? []).forEach((c, i) => {
    out.push(
      ev("content_block_start", {
        index,
        content_block: { type: "tool_use", id: toolId(c, i), name: c.name, input: {} },
      }),
    );
    for (const partial_json of splitText(argsJson(c), 2)) {
      out.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } }));
    }
    out.push(ev("content_block_stop", { index }));
    index++;
  });
  out.push(
    ev("message_delta", {
      delta: { stop_reason: stopReason(turn), stop_sequence: null },
      usage: { output_tokens: u.output },
    }),
  );
  out.push(ev("message_stop"));
  return out;
}

const anthropicDialect: Dialect = {
  auth(req, apiKey) {
    const got = req.headers["x-api-key"];
    if (req.headers["anthropic-version"] === undefined) return "missing anthropic-version header";
    return got === apiKey ? undefined : `invalid x-api-key: ${String(got)}`;
  },
  route: (req) => (req.method === "POST" && req.path === "/v1/messages" ? "messages" : undefined),
  errorBody: (status, message) => ({
    type: "error",
    error: {
      type: status === 429 ? "rate_limit_error" : status === 529 ? "overloaded_error" : "api_error",
      message,
    },
  }),
  json: (_route, req, turn) => messageJson(req, turn),
  events: (_route, req, turn) => messageEvents(req, turn),
};

/** An Anthropic emulator; OpenClaw-style `baseUrl` is the origin (no `/v1`). */
export interface AnthropicEmulator extends Emulator {
  /** The origin, as OpenClaw writes Anthropic base URLs. */
  readonly baseUrl: string;
}

/** Starts an Anthropic Messages API emulator on 127.0.0.1, port 0. */
export async function startAnthropicEmulator(opts: EmulatorOptions = {}): Promise<AnthropicEmulator> {
  const emu = await startEmulator(anthropicDialect, opts);
  return Object.assign(emu, { baseUrl: emu.origin });
}
