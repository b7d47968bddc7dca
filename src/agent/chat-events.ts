import type { Usage } from "../providers/index.js";
import { assistantChatMessage } from "./transcript-codec.js";

/** Sends a gateway event (`chat`, `agent`) to operators. */
export type EmitFn = (event: string, payload: Record<string, unknown>) => void;

/** Why an error event happened, in OpenClaw's `errorKind` terms. */
export type ChatErrorKind = "refusal" | "timeout" | "rate_limit" | "context_length" | "unknown";

/**
 * The `chat` events of one run, in OpenClaw's shapes: `delta` (new text in `deltaText`, the text
 * so far in `message`), then exactly one of `final`, `aborted` or `error`. `seq` counts from 0
 * per run. Deltas closer than `throttleMs` are merged so a fast stream does not flood clients;
 * the terminal event always flushes first.
 */
export class ChatRunEvents {
  readonly #emit: EmitFn;
  readonly #base: { runId: string; sessionKey: string };
  readonly #throttleMs: number;
  readonly #now: () => number;
  #seq = 0;
  #text = "";
  #pending = "";
  #lastSent = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  constructor(
    emit: EmitFn,
    runId: string,
    sessionKey: string,
    opts: { throttleMs?: number | undefined; now?: (() => number) | undefined } = {},
  ) {
    this.#emit = emit;
    this.#base = { runId, sessionKey };
    this.#throttleMs = opts.throttleMs ?? 50;
    this.#now = opts.now ?? Date.now;
  }

  /** Text streamed so far. */
  get text(): string {
    return this.#text;
  }

  /** Queues streamed text. */
  delta(text: string): void {
    if (this.#ended || text === "") return;
    this.#text += text;
    this.#pending += text;
    const wait = this.#lastSent + this.#throttleMs - this.#now();
    if (wait <= 0) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === "" || this.#ended) return;
    const deltaText = this.#pending;
    this.#pending = "";
    this.#lastSent = this.#now();
    this.#send({ state: "delta", deltaText, message: assistantChatMessage(this.#text, this.#lastSent) });
  }

  #send(fields: Record<string, unknown>): void {
    this.#emit("chat", { ...this.#base, seq: this.#seq++, ...fields });
  }

  #end(fields: Record<string, unknown>): void {
    if (this.#ended) return;
    this.#flush();
    this.#ended = true;
    this.#send(fields);
  }

  /** The answer. */
  final(text: string, stopReason: string, usage?: Usage): void {
    this.#end({
      state: "final",
      message: assistantChatMessage(text, this.#now()),
      stopReason,
      ...(usage === undefined ? {} : { usage }),
    });
  }

  /** Stopped by request; `message` carries what was streamed, if anything. */
  aborted(partial: string): void {
    this.#end({
      state: "aborted",
      ...(partial === "" ? {} : { message: assistantChatMessage(partial, this.#now()) }),
      stopReason: "aborted",
    });
  }

  /** Failed; `text` is the short apology the user sees (never the provider's error). */
  error(text: string, kind: ChatErrorKind, usage?: Usage): void {
    this.#end({
      state: "error",
      message: assistantChatMessage(text, this.#now()),
      errorMessage: text,
      errorKind: kind,
      stopReason: "error",
      ...(usage === undefined ? {} : { usage }),
    });
  }
}
