/**
 * A Telegram Bot API emulator on 127.0.0.1 port 0: `/bot<token>/<method>` with JSON bodies and
 * the `{ok, result}` / `{ok:false, error_code, description, parameters}` envelopes. getUpdates
 * honours offset (confirms older updates), limit and timeout (long poll), and answers 409 while a
 * webhook is set. Faults can be scripted per method: an error status (429 with retry_after, 500),
 * a dropped connection, or a stall. Tests inject user messages and read what the bot sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { htmlError, htmlText } from "./html.js";
import { TelegramState } from "./state.js";

export type { BotMessage, UserMessage } from "./state.js";

/** A scripted failure of the next call(s) to a method. */
export type Fault =
  | { readonly status: number; readonly retryAfter?: number; readonly description?: string }
  | { readonly drop: true }
  | { readonly stall: true };

/** Options of {@link startTelegramEmulator}. */
export interface TelegramEmulatorOptions {
  /** The bot token the emulator accepts. Default a fixed realistic-looking token. */
  readonly token?: string;
  readonly botId?: number;
  readonly botUsername?: string;
}

/** A running emulator. */
export interface TelegramEmulator extends TelegramState {
  readonly apiRoot: string;
  readonly token: string;
  /** Calls received, by method. */
  readonly calls: Map<string, number>;
  /** Fails the next `times` calls of `method` with `fault`. */
  fail(method: string, fault: Fault, times?: number): void;
  /** Refuse any HTML-mode text (to test the plain-text fallback). */
  rejectMarkup: boolean;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const ok = (result: unknown) => ({ ok: true, result });
const err = (code: number, description: string, parameters?: Json) => ({
  ok: false,
  error_code: code,
  description,
  ...(parameters === undefined ? {} : { parameters }),
});

async function body(req: IncomingMessage): Promise<Json> {
  const parts: Buffer[] = [];
  for await (const b of req) parts.push(b as Buffer);
  const text = Buffer.concat(parts).toString("utf8");
  if (text === "") return {};
  if ((req.headers["content-type"] ?? "").includes("json")) return JSON.parse(text) as Json;
  return Object.fromEntries(new URLSearchParams(text));
}

/** Starts the emulator. */
export async function startTelegramEmulator(opts: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const token = opts.token ?? "123456789:AAHfakeEmulatorTokenForTestsOnly_0123456789";
  const state = new TelegramState(opts.botId ?? 7000001, opts.botUsername ?? "palisade_test_bot");
  const calls = new Map<string, number>();
  const faults = new Map<string, Fault[]>();
  const sockets = new Set<Socket>();
  const emu = state as TelegramState & { rejectMarkup: boolean };
  emu.rejectMarkup = false;

  const send = (res: ServerResponse, status: number, payload: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
  };

  const markupError = (p: Json): string | undefined => {
    if (p.parse_mode !== "HTML") return undefined;
    if (emu.rejectMarkup) return "Bad Request: can't parse entities: rejected by the emulator";
    return htmlError(String(p.text ?? ""));
  };

  const handle = async (method: string, p: Json, res: ServerResponse) => {
    switch (method) {
      case "getMe":
        return send(res, 200, ok(state.me()));
      case "getUpdates": {
        if (state.webhook !== undefined) {
          return send(res, 409, err(409, "Conflict: can't use getUpdates method while webhook is active"));
        }
        const ready = state.poll(
          p.offset === undefined ? undefined : Number(p.offset),
          Number(p.limit ?? 100),
        );
        const timeout = Number(p.timeout ?? 0);
        if (ready.length > 0 || timeout <= 0) return send(res, 200, ok(ready));
        const done = state.wait(timeout * 1000, () =>
          send(res, 200, ok(state.poll(undefined, Number(p.limit ?? 100)))),
        );
        res.once("close", done);
        return;
      }
      case "sendMessage":
      case "editMessageText": {
        const text = String(p.text ?? "");
        const bad = markupError(p);
        if (bad !== undefined) return send(res, 400, err(400, bad));
        const visible = p.parse_mode === "HTML" ? htmlText(text) : text;
        if (visible.trim() === "") return send(res, 400, err(400, "Bad Request: message text is empty"));
        if (visible.length > 4096) return send(res, 400, err(400, "Bad Request: message is too long"));
        const r = method === "sendMessage" ? state.sendMessage(p) : state.editMessage(p);
        return typeof r === "string" ? send(res, 400, err(400, r)) : send(res, 200, ok(r));
      }
      case "sendChatAction":
        state.actions.push({ chatId: String(p.chat_id), action: String(p.action) });
        return send(res, 200, ok(true));
      case "setWebhook":
        state.webhook = {
          url: String(p.url),
          secret: p.secret_token === undefined ? undefined : String(p.secret_token),
        };
        return send(res, 200, ok(true));
      case "deleteWebhook":
        state.webhook = undefined;
        return send(res, 200, ok(true));
      default:
        return send(res, 404, err(404, "Not Found: method not found"));
    }
  };

  const server = createServer((req, res) => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    if (m === null) return send(res, 404, err(404, "Not Found"));
    if (m[1] !== token) return send(res, 401, err(401, "Unauthorized"));
    const method = m[2] as string;
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const queue = faults.get(method);
    const fault = queue?.shift();
    if (fault !== undefined) {
      if ("drop" in fault) return req.socket.destroy();
      if ("stall" in fault) return;
      const params = fault.retryAfter === undefined ? undefined : { retry_after: fault.retryAfter };
      const desc =
        fault.description ??
        (fault.status === 429
          ? `Too Many Requests: retry after ${fault.retryAfter ?? 1}`
          : "Internal Server Error");
      return send(res, fault.status, err(fault.status, desc, params));
    }
    body(req)
      .then((p) => handle(method, p, res))
      .catch(() => send(res, 400, err(400, "Bad Request: invalid body")));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;

  return Object.assign(emu, {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    calls,
    fail(method: string, fault: Fault, times = 1) {
      const q = faults.get(method) ?? [];
      for (let i = 0; i < times; i++) q.push(fault);
      faults.set(method, q);
    },
    close: () =>
      new Promise<void>((r) => {
        state.wakeAll();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  }) as TelegramEmulator;
}
