/** Overview: gateway status and who is connected (`status`, `system-presence`). */
import { button, h, replace, show, when } from "../dom.js";
import { errorBox, type PageContext, type PageDef, pageHeader, table } from "./page.js";

function kv(obj: Record<string, unknown>): HTMLElement {
  const rows = Object.entries(obj).filter(([, v]) => v === null || typeof v !== "object");
  return h("dl", null, ...rows.flatMap(([k, v]) => [h("dt", null, k), h("dd", null, show(v))]));
}

function mount(el: HTMLElement, ctx: PageContext): undefined {
  const body = h("div");
  const load = async () => {
    try {
      const status = await ctx.conn.call<Record<string, unknown>>("status", {});
      const presence = ctx.conn.has("system-presence") ? await ctx.conn.call<unknown>("system-presence") : [];
      const entries = (Array.isArray(presence) ? presence : []) as Array<Record<string, unknown>>;
      const gateway = (status.gateway ?? {}) as Record<string, unknown>;
      replace(
        body,
        h(
          "div",
          { class: "cards" },
          h("div", { class: "card" }, h("h3", null, "Gateway"), kv(gateway)),
          h("div", { class: "card" }, h("h3", null, "Status"), kv(status)),
        ),
        h("h3", null, "Connected clients"),
        table(
          ["Client", "Mode", "Platform", "Address", "Since"],
          entries.map((p) => [
            show(p.displayName ?? p.clientId ?? p.host),
            show(p.mode),
            show(p.platform),
            show(p.ip),
            when(p.ts),
          ]),
          "Nobody else is connected.",
        ),
      );
    } catch (e) {
      replace(body, errorBox(e));
    }
  };
  replace(
    el,
    pageHeader(
      "Overview",
      button("Refresh", () => void load()),
    ),
    body,
  );
  void load();
  return undefined;
}

/** The Overview page. */
export const overviewPage: PageDef = { id: "overview", title: "Overview", needs: ["status"], mount };
