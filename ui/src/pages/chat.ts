/**
 * WebChat: pick a session, read its history, send a message and watch the answer stream in
 * (`chat` events: delta, then final | aborted | error), abort a running answer. Every message
 * is rendered as text.
 */
import { append, button, h, replace } from "../dom.js";
import { errorText, idem, type PageContext, type PageDef } from "./page.js";

interface ChatMessage {
  readonly role?: string;
  readonly content?: unknown;
}

/** Text of an OpenClaw chat message (string content or text parts). */
export function messageText(m: unknown): string {
  const c = (m as ChatMessage | undefined)?.content;
  if (typeof c === "string") return c;
  if (!Array.isArray(c)) return "";
  return c
    .map((p: { type?: unknown; text?: unknown }) =>
      p?.type === "text" && typeof p.text === "string" ? p.text : "",
    )
    .join("");
}

function bubble(role: string, text: string): HTMLElement {
  return h(
    "div",
    { class: `msg msg-${role}`, attrs: { "data-role": role } },
    h("div", { class: "msg-text" }, text),
  );
}

const LAST_SESSION = "palisade.chat.session";

function mount(el: HTMLElement, ctx: PageContext): () => void {
  const { conn } = ctx;
  let sessionKey = sessionStorage.getItem(LAST_SESSION) ?? "main";
  let canonicalKey = sessionKey;
  let runId: string | undefined;
  let live: HTMLElement | undefined;

  const picker = h("select", { attrs: { "aria-label": "Session" } });
  const newKey = h("input", { attrs: { placeholder: "new session key", "aria-label": "New session key" } });
  const log = h("div", { class: "chat-log", attrs: { "aria-live": "polite", "data-testid": "chat-log" } });
  const input = h("textarea", { attrs: { rows: "3", placeholder: "Message", "aria-label": "Message" } });
  const send = h("button", { class: "primary", attrs: { type: "submit" } }, "Send");
  const abort = button("Abort", () => void doAbort(), "danger");
  const state = h("span", { class: "muted" });
  abort.disabled = true;

  const setRunning = (id: string | undefined) => {
    runId = id;
    abort.disabled = id === undefined;
    send.disabled = id !== undefined;
    state.textContent = id === undefined ? "" : "answering…";
  };

  const loadSessions = async () => {
    const res = await conn.call<{ sessions?: Array<{ key: string; label?: string }> }>("sessions.list", {
      limit: 200,
    });
    const keys = new Set<string>([sessionKey, ...(res.sessions ?? []).map((s) => s.key)]);
    replace(
      picker,
      ...[...keys].map((k) => h("option", { attrs: { value: k, selected: k === sessionKey } }, k)),
    );
  };

  const loadHistory = async () => {
    const res = await conn.call<{ sessionKey: string; messages: ChatMessage[] }>("chat.history", {
      sessionKey,
      limit: 200,
    });
    canonicalKey = res.sessionKey;
    live = undefined;
    replace(
      log,
      ...res.messages
        .filter((m) => m.role === "user" || m.role === "assistant")
        .map((m) => bubble(m.role ?? "assistant", messageText(m))),
    );
    log.scrollTop = log.scrollHeight;
  };

  const switchTo = (key: string) => {
    sessionKey = key;
    sessionStorage.setItem(LAST_SESSION, key);
    setRunning(undefined);
    void loadHistory().catch((e: unknown) => ctx.notify(errorText(e), "error"));
  };

  const doSend = async () => {
    const message = input.value;
    if (message.trim() === "" || runId !== undefined) return;
    const key = idem();
    append(log, bubble("user", message));
    input.value = "";
    live = bubble("assistant", "");
    live.classList.add("streaming");
    append(log, live);
    log.scrollTop = log.scrollHeight;
    setRunning(key);
    try {
      const res = await conn.call<{ runId: string }>("chat.send", {
        sessionKey,
        message,
        idempotencyKey: key,
      });
      if (runId === key) setRunning(res.runId);
    } catch (e) {
      setRunning(undefined);
      live.classList.remove("streaming");
      live.classList.add("msg-error");
      replace(live, h("div", { class: "msg-text" }, errorText(e)));
    }
  };

  const doAbort = async () => {
    try {
      await conn.call("chat.abort", { sessionKey, ...(runId === undefined ? {} : { runId }) });
    } catch (e) {
      ctx.notify(errorText(e), "error");
    }
  };

  const off = conn.onEvent((e) => {
    if (e.event !== "chat") return;
    const p = e.payload as {
      runId?: string;
      sessionKey?: string;
      state?: string;
      message?: unknown;
      errorMessage?: string;
    };
    if (p.sessionKey !== canonicalKey && p.sessionKey !== sessionKey) return;
    if (live === undefined) {
      live = bubble("assistant", "");
      append(log, live);
    }
    const text = p.message === undefined ? "" : messageText(p.message);
    const body = live.firstElementChild;
    if (body && (p.state === "delta" || text !== "")) body.textContent = text;
    if (p.state !== "delta") {
      live.classList.remove("streaming");
      live.dataset.state = p.state ?? "";
      if (p.state === "error") live.classList.add("msg-error");
      if (p.state === "aborted") append(live, h("div", { class: "muted" }, "(stopped)"));
      live = undefined;
      setRunning(undefined);
    }
    log.scrollTop = log.scrollHeight;
  });

  picker.addEventListener("change", () => switchTo(picker.value));
  newKey.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || newKey.value.trim() === "") return;
    const k = newKey.value.trim();
    newKey.value = "";
    append(picker, h("option", { attrs: { value: k } }, k));
    picker.value = k;
    switchTo(k);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      void doSend();
    }
  });
  const form = h(
    "form",
    {
      class: "chat-input",
      on: {
        submit: (ev) => {
          ev.preventDefault();
          void doSend();
        },
      },
    },
    input,
    h("div", { class: "row" }, send, abort, state),
  );
  replace(
    el,
    h("div", { class: "page-header" }, h("h2", null, "Chat"), h("div", { class: "actions" }, picker, newKey)),
    log,
    form,
  );
  void loadSessions().catch(() => {});
  void loadHistory().catch((e: unknown) => ctx.notify(errorText(e), "error"));
  return off;
}

/** The Chat page. */
export const chatPage: PageDef = {
  id: "chat",
  title: "Chat",
  needs: ["chat.send", "chat.history", "chat.abort", "sessions.list"],
  mount,
};
