/**
 * Shared scaffold of the LLM API emulators: a loopback HTTP server on port 0 with a queue of
 * scripted turns, a record of every request, an auth check and the failure modes tests need
 * (error status with Retry-After, slow streams, cut streams, hanging requests).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A tool call the scripted model makes. */
export interface ScriptedToolCall {
  /** Call id; default generated. */
  readonly id?: string;
  readonly name: string;
  /** Arguments: an object is JSON-encoded; a string is sent as is (so tests can send bad JSON). */
  readonly args: unknown;
}

/** A scripted answer. */
export interface ReplyTurn {
  readonly text?: string;
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Text split into these many stream chunks. Default 3. */
  readonly chunks?: number;
  /** Delay between stream events, ms (a slow stream); the first event is not delayed. */
  readonly delayMs?: number;
  /** Destroy the socket after this many stream events (a cut stream); a JSON answer is cut in half. */
  readonly cutAfterEvents?: number;
  /** Send this many stream events, then nothing more while keeping the connection open. */
  readonly stallAfterEvents?: number;
  readonly usage?: { readonly input: number; readonly output: number };
  /** Stop reason override, e.g. "length". */
  readonly finish?: string;
}

/** A scripted failure: an HTTP error answer. */
export interface ErrorTurn {
  readonly status: number;
  readonly retryAfter?: string;
  readonly message?: string;
}

/** One scripted turn: a reply, an HTTP error, or a request that never gets an answer. */
export type Turn = ReplyTurn | ErrorTurn | { readonly hang: true };

/** A request the emulator received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary request JSON
  readonly body: any;
}

/** Scripts turns dynamically from the request; return undefined to use the queue. */
export type TurnHandler = (req: RecordedRequest) => Turn | undefined;

/** Writes one API dialect. */
export interface Dialect {
  /** Checks credentials; returns an error message when refused. */
  auth(req: RecordedRequest, apiKey: string | undefined): string | undefined;
  /** The route for the request, or undefined for 404. */
  route(req: RecordedRequest): "chat" | "responses" | "messages" | undefined;
  /** Error body in the dialect's shape. */
  errorBody(status: number, message: string): unknown;
  /** Non-streamed JSON answer. */
  json(route: string, req: RecordedRequest, turn: ReplyTurn): unknown;
  /** Streamed answer as SSE events (`event` name optional). */
  events(route: string, req: RecordedRequest, turn: ReplyTurn): Array<{ event?: string; data: unknown }>;
}

/** Options for an emulator. */
export interface EmulatorOptions {
  /** Expected API key; requests without it get 401. Default "test-key". Null disables the check. */
  readonly apiKey?: string | null;
  /** Echo the received credential in 401 bodies, like a careless proxy (tests redaction). */
  readonly echoAuthInErrors?: boolean;
}

/** A running emulator. */
export interface Emulator extends AsyncDisposable {
  /** Origin, e.g. http://127.0.0.1:1234. */
  readonly origin: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Appends scripted turns. */
  script(...turns: Turn[]): this;
  /** Sets a dynamic handler consulted before the queue. */
  handle(fn: TurnHandler): this;
  /** Turns not consumed yet. */
  pending(): number;
  close(): Promise<void>;
}

/** Splits text into about `n` pieces. */
export function splitText(text: string, n: number): string[] {
  if (text === "") return [];
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, n)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The args of a scripted call as a JSON string. */
export function argsJson(call: ScriptedToolCall): string {
  return typeof call.args === "string" ? call.args : JSON.stringify(call.args);
}

const wait = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function sendStream(
  res: ServerResponse,
  events: Array<{ event?: string; data: unknown }>,
  turn: ReplyTurn,
) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
  let sent = 0;
  for (const e of events) {
    if (turn.cutAfterEvents !== undefined && sent >= turn.cutAfterEvents) {
      res.socket?.destroy();
      return;
    }
    if (turn.stallAfterEvents !== undefined && sent >= turn.stallAfterEvents) return; // close() ends it
    if (turn.delayMs !== undefined && sent > 0) await wait(turn.delayMs);
    if (res.destroyed) return;
    const data = typeof e.data === "string" ? e.data : JSON.stringify(e.data);
    // Wait until each event is on the wire, so a cut lands after what was sent.
    await new Promise<void>((resolve) => {
      res.write(`${e.event === undefined ? "" : `event: ${e.event}\n`}data: ${data}\n\n`, () => resolve());
    });
    sent++;
  }
  res.end();
}

/** Starts an emulator speaking `dialect` on 127.0.0.1 port 0. */
export async function startEmulator(dialect: Dialect, opts: EmulatorOptions = {}): Promise<Emulator> {
  const apiKey = opts.apiKey === undefined ? "test-key" : opts.apiKey;
  const queue: Turn[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let handler: TurnHandler | undefined;

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const rec: RecordedRequest = {
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0] ?? "/",
      headers: req.headers,
      body,
    };
    requests.push(rec);
    const route = dialect.route(rec);
    if (route === undefined) return sendJson(res, 404, dialect.errorBody(404, `no route ${rec.path}`));
    const denied = apiKey === null ? undefined : dialect.auth(rec, apiKey);
    if (denied !== undefined) {
      return sendJson(res, 401, dialect.errorBody(401, opts.echoAuthInErrors ? denied : "invalid api key"));
    }
    const turn = handler?.(rec) ?? queue.shift();
    if (turn === undefined)
      return sendJson(res, 500, dialect.errorBody(500, "emulator: no scripted turn left"));
    if ("hang" in turn) return; // never answers; close() destroys the socket
    if ("status" in turn) {
      const headers: Record<string, string> =
        turn.retryAfter === undefined ? {} : { "retry-after": turn.retryAfter };
      return sendJson(
        res,
        turn.status,
        dialect.errorBody(turn.status, turn.message ?? `status ${turn.status}`),
        headers,
      );
    }
    const stream =
      typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true;
    if (!stream) {
      if (turn.cutAfterEvents === undefined) return sendJson(res, 200, dialect.json(route, rec, turn));
      // A cut non-streaming answer: the headers promise the whole body, half of it arrives.
      const text = JSON.stringify(dialect.json(route, rec, turn));
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(text)),
      });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      res.socket?.destroy();
      return;
    }
    await sendStream(res, dialect.events(route, rec, turn), turn);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;

  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  const emu: Emulator = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    script(...turns) {
      queue.push(...turns);
      return emu;
    },
    handle(fn) {
      handler = fn;
      return emu;
    },
    pending: () => queue.length,
    close,
    [Symbol.asyncDispose]: close,
  };
  return emu;
}
