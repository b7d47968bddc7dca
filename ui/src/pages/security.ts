/** Security: the gateway's audit findings (`security.audit`), worst first, each with its fix. */
import { button, h, replace } from "../dom.js";
import { errorBox, type PageContext, type PageDef, pageHeader } from "./page.js";

interface Finding {
  readonly id: string;
  readonly severity: "critical" | "warn" | "info";
  readonly title: string;
  readonly found: string;
  readonly why: string;
  readonly fix: string;
  readonly autoFix?: boolean;
}

function finding(f: Finding): HTMLElement {
  return h(
    "div",
    { class: `card finding sev-${f.severity}`, attrs: { "data-check-id": f.id } },
    h(
      "div",
      { class: "row" },
      h("span", { class: `badge sev-${f.severity}` }, f.severity),
      h("strong", null, f.title),
    ),
    h("code", { class: "muted" }, f.id),
    h("p", null, h("b", null, "Found: "), f.found),
    h("p", null, h("b", null, "Why: "), f.why),
    h(
      "p",
      null,
      h("b", null, "Fix: "),
      f.fix,
      f.autoFix ? h("em", null, " (palisade security audit --fix can do this)") : null,
    ),
  );
}

function mount(el: HTMLElement, ctx: PageContext): undefined {
  const body = h("div");
  const load = async () => {
    try {
      const res = await ctx.conn.call<{
        findings: Finding[];
        counts: Record<string, number>;
        checked: number;
      }>("security.audit", {});
      const { critical = 0, warn = 0, info = 0 } = res.counts;
      replace(
        body,
        h(
          "p",
          { class: "summary" },
          `${res.checked} checks: ${critical} critical, ${warn} warn, ${info} info`,
        ),
        h("div", { class: "cards" }, ...res.findings.map(finding)),
      );
    } catch (e) {
      replace(body, errorBox(e));
    }
  };
  replace(
    el,
    pageHeader(
      "Security audit",
      button("Run again", () => void load()),
    ),
    body,
  );
  void load();
  return undefined;
}

/** The Security page. */
export const securityPage: PageDef = { id: "security", title: "Security", needs: ["security.audit"], mount };
