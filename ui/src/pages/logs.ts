/**
 * Logs: a live tail of the gateway's own (redacted) log by `logs.tail` cursor polling. Lines
 * are JSON records shown as time, level, module and message, all as text; a filter and pause.
 */
import { append, button, h, replace } from "../dom.js";
import { errorText, type PageContext, type PageDef, pageHeader } from "./page.js";

/** Most lines kept on screen. */
const MAX_LINES = 2000;
const POLL_MS = 1000;
const LEVELS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/** One log line as display parts. */
export function parseLine(line: string): { time: string; level: string; text: string } {
  try {
    const rec = JSON.parse(line) as Record<string, unknown>;
    const { time, level, msg, pid: _p, hostname: _h, ...rest } = rec;
    const lvl = typeof level === "number" ? (LEVELS[level] ?? String(level)) : String(level ?? "");
    const extra = Object.keys(rest).length === 0 ? "" : ` ${JSON.stringify(rest)}`;
    const t = typeof time === "number" || typeof time === "string" ? new Date(time).toLocaleTimeString() : "";
    return { time: t, level: lvl, text: `${typeof msg === "string" ? msg : ""}${extra}` };
  } catch {
    return { time: "", level: "", text: line };
  }
}

function mount(el: HTMLElement, ctx: PageContext): () => void {
  let cursor: number | undefined;
  let paused = false;
  let stopped = false;
  let timer: number | undefined;
  const out = h("div", { class: "log-view", attrs: { "data-testid": "log-view" } });
  const status = h("span", { class: "muted" });
  const filter = h("input", { attrs: { placeholder: "filter", "aria-label": "Filter" } });
  const pause = button("Pause", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
  });

  const applyFilter = () => {
    const f = filter.value.toLowerCase();
    for (const row of out.children)
      (row as HTMLElement).hidden = f !== "" && !(row.textContent ?? "").toLowerCase().includes(f);
  };

  const poll = async () => {
    if (stopped) return;
    if (!paused) {
      try {
        const res = await ctx.conn.call<{ cursor: number; lines: string[]; reset: boolean }>("logs.tail", {
          ...(cursor === undefined ? { limit: 300 } : { cursor }),
          maxBytes: 250_000,
        });
        if (res.reset) replace(out);
        cursor = res.cursor;
        const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 20;
        for (const line of res.lines) {
          const p = parseLine(line);
          append(
            out,
            h(
              "div",
              { class: `log-line lvl-${p.level}` },
              h("span", { class: "t" }, p.time),
              h("span", { class: "l" }, p.level),
              h("span", { class: "m" }, p.text),
            ),
          );
        }
        while (out.childElementCount > MAX_LINES) out.firstElementChild?.remove();
        if (res.lines.length > 0) applyFilter();
        if (atBottom) out.scrollTop = out.scrollHeight;
        status.textContent = "";
      } catch (e) {
        status.textContent = errorText(e);
      }
    }
    if (!stopped) timer = window.setTimeout(() => void poll(), POLL_MS);
  };
  filter.addEventListener("input", applyFilter);
  replace(
    el,
    pageHeader(
      "Logs",
      filter,
      pause,
      button("Clear", () => replace(out)),
      status,
    ),
    out,
  );
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** The Logs page. */
export const logsPage: PageDef = { id: "logs", title: "Logs", needs: ["logs.tail"], mount };
