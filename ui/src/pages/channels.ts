/**
 * Channels status: each channel account's connection as `channels.status` reports it. The
 * payload is read loosely (OpenClaw's `channelAccounts` map, or a flat list) so the page keeps
 * working while the channels issue settles its shape.
 */
import { button, h, replace, show, when } from "../dom.js";
import { errorBox, type PageContext, type PageDef, pageHeader } from "./page.js";

type Account = Record<string, unknown>;

/** Account objects found in a `channels.status` payload. */
export function accountsOf(payload: unknown): Account[] {
  const p = (payload ?? {}) as Record<string, unknown>;
  const out: Account[] = [];
  const byChannel = p.channelAccounts;
  if (typeof byChannel === "object" && byChannel !== null) {
    for (const [channel, list] of Object.entries(byChannel))
      if (Array.isArray(list)) for (const a of list) out.push({ channel, ...(a as Account) });
  }
  for (const key of ["accounts", "channels"]) {
    const list = p[key];
    if (out.length === 0 && Array.isArray(list)) out.push(...(list as Account[]));
  }
  return out;
}

const TIME_KEYS = /At$|AtMs$/;

function accountCard(a: Account): HTMLElement {
  const ok = a.connected === true;
  const fields = Object.entries(a).filter(
    ([k, v]) => k !== "channel" && k !== "accountId" && (v === null || typeof v !== "object"),
  );
  return h(
    "div",
    { class: `card channel ${ok ? "ch-ok" : "ch-bad"}` },
    h("h3", null, `${show(a.channel)} · ${show(a.accountId ?? "default")}`),
    h(
      "div",
      { class: `badge ${ok ? "ok" : "bad"}` },
      ok ? "connected" : a.running === true ? "not connected" : "stopped",
    ),
    h(
      "dl",
      null,
      ...fields.flatMap(([k, v]) => [h("dt", null, k), h("dd", null, TIME_KEYS.test(k) ? when(v) : show(v))]),
    ),
  );
}

function mount(el: HTMLElement, ctx: PageContext): () => void {
  const body = h("div", { class: "cards" });
  const load = async () => {
    try {
      const res = await ctx.conn.call("channels.status", {});
      const accounts = accountsOf(res);
      replace(
        body,
        ...accounts.map(accountCard),
        accounts.length === 0 ? h("p", { class: "muted empty" }, "No channels are configured.") : null,
      );
    } catch (e) {
      replace(body, errorBox(e));
    }
  };
  const timer = window.setInterval(() => void load(), 10_000);
  replace(
    el,
    pageHeader(
      "Channels",
      button("Refresh", () => void load()),
    ),
    body,
  );
  void load();
  return () => clearInterval(timer);
}

/** The Channels status page. */
export const channelsPage: PageDef = { id: "channels", title: "Channels", needs: ["channels.status"], mount };
