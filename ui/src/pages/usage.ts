/** Usage: tokens and cost per model (`usage.status`) and the configured models (`models.list`). */
import { button, h, replace, show } from "../dom.js";
import { errorBox, type PageContext, type PageDef, pageHeader, table } from "./page.js";

interface ModelUsage {
  readonly model?: string;
  readonly provider?: string;
  readonly runs?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
  readonly costUsd?: number | null;
}

const usd = (v: unknown) => (typeof v === "number" ? `$${v.toFixed(4)}` : "—");

function mount(el: HTMLElement, ctx: PageContext): undefined {
  const body = h("div");
  const load = async () => {
    try {
      const res = await ctx.conn.call<{ totals: ModelUsage; byModel: ModelUsage[] }>("usage.status", {});
      const models = ctx.conn.has("models.list")
        ? await ctx.conn.call<{ models: Array<{ id: string; provider: string; agents?: string[] }> }>(
            "models.list",
            {},
          )
        : { models: [] };
      const t = res.totals;
      replace(
        body,
        h(
          "div",
          { class: "stats" },
          ...[
            ["Runs", show(t.runs)],
            ["Input tokens", show(t.inputTokens)],
            ["Output tokens", show(t.outputTokens)],
            ["Total tokens", show(t.totalTokens)],
            ["Cost", usd(t.costUsd)],
          ].map(([k, v]) =>
            h("div", { class: "stat" }, h("div", { class: "muted" }, k), h("div", { class: "big" }, v)),
          ),
        ),
        h("h3", null, "By model"),
        table(
          ["Model", "Runs", "Input", "Output", "Total", "Cost"],
          res.byModel.map((m) => [
            show(m.model ?? m.provider),
            show(m.runs),
            show(m.inputTokens),
            show(m.outputTokens),
            show(m.totalTokens),
            usd(m.costUsd),
          ]),
          "No usage recorded yet.",
        ),
        h("h3", null, "Configured models"),
        table(
          ["Provider", "Model", "Agents"],
          models.models.map((m) => [m.provider, h("code", null, m.id), (m.agents ?? []).join(", ")]),
          "No models are configured.",
        ),
      );
    } catch (e) {
      replace(body, errorBox(e));
    }
  };
  replace(
    el,
    pageHeader(
      "Usage",
      button("Refresh", () => void load()),
    ),
    body,
  );
  void load();
  return undefined;
}

/** The Usage page. */
export const usagePage: PageDef = { id: "usage", title: "Usage", needs: ["usage.status"], mount };
