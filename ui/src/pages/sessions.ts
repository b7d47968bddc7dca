/** Sessions: every session with its usage, a preview of the last messages, reset, compact, delete. */
import { button, h, replace, show, when } from "../dom.js";
import { errorBox, errorText, type PageContext, type PageDef, pageHeader, table } from "./page.js";

interface SessionEntry {
  readonly key: string;
  readonly agentId?: string;
  readonly updatedAt?: number;
  readonly runs?: number;
  readonly totalTokens?: number;
  readonly model?: string;
  readonly lastMessagePreview?: string;
}

function mount(el: HTMLElement, ctx: PageContext): undefined {
  const { conn } = ctx;
  const body = h("div");
  const preview = h("div", { class: "preview" });

  const act = async (method: string, key: string, done: string) => {
    if (method === "sessions.delete" && !confirm(`Delete session ${key} and its transcript?`)) return;
    try {
      await conn.call(method, { key });
      ctx.notify(done, "ok");
      await load();
    } catch (e) {
      ctx.notify(errorText(e), "error");
    }
  };

  const showPreview = async (key: string) => {
    try {
      const res = await conn.call<{ previews: Array<{ items: Array<{ role: string; text: string }> }> }>(
        "sessions.preview",
        { keys: [key], limit: 8, maxChars: 500 },
      );
      const items = res.previews[0]?.items ?? [];
      replace(
        preview,
        h("h3", null, `Preview: ${key}`),
        ...items.map((i) =>
          h("div", { class: `msg msg-${i.role === "user" ? "user" : "assistant"}` }, i.text),
        ),
        items.length === 0 ? h("p", { class: "muted" }, "No messages.") : null,
      );
    } catch (e) {
      replace(preview, errorBox(e));
    }
  };

  const load = async () => {
    try {
      const res = await conn.call<{ sessions: SessionEntry[] }>("sessions.list", {
        limit: 500,
        includeLastMessage: true,
      });
      const rows = res.sessions.map((s) => [
        h("code", null, s.key),
        show(s.agentId),
        when(s.updatedAt),
        show(s.runs),
        show(s.totalTokens),
        show(s.lastMessagePreview),
        h(
          "div",
          { class: "row" },
          button("Preview", () => void showPreview(s.key)),
          button("Reset", () => void act("sessions.reset", s.key, `reset ${s.key}`)),
          button("Compact", () => void act("sessions.compact", s.key, `compacted ${s.key}`)),
          button("Delete", () => void act("sessions.delete", s.key, `deleted ${s.key}`), "danger"),
        ),
      ]);
      replace(
        body,
        table(["Key", "Agent", "Updated", "Runs", "Tokens", "Last message", ""], rows, "No sessions yet."),
      );
    } catch (e) {
      replace(body, errorBox(e));
    }
  };

  replace(
    el,
    pageHeader(
      "Sessions",
      button("Refresh", () => void load()),
    ),
    body,
    preview,
  );
  void load();
  return undefined;
}

/** The Sessions page. */
export const sessionsPage: PageDef = {
  id: "sessions",
  title: "Sessions",
  needs: ["sessions.list", "sessions.preview"],
  mount,
};
