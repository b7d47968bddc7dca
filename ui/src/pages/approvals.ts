/**
 * Exec approvals: commands an agent wants to run on the host, shown exactly as they will run
 * (command line and working directory, as text), live from `exec.approval.requested`; allow
 * once, allow always, or deny via `exec.approval.resolve`.
 */
import { button, h, replace, show, when } from "../dom.js";
import type { PendingApproval } from "./approvals-queue.js";
import { errorText, type PageContext, type PageDef, pageHeader } from "./page.js";

type Decision = "allow-once" | "allow-always" | "deny";

function card(a: PendingApproval, decide: (d: Decision) => void): HTMLElement {
  return h(
    "div",
    { class: "card approval", attrs: { "data-approval-id": a.id } },
    h("div", { class: "label" }, "Command"),
    h("pre", { class: "command" }, a.command),
    h("div", { class: "label" }, "Working directory"),
    h("pre", { class: "cwd" }, show(a.cwd)),
    h(
      "dl",
      null,
      h("dt", null, "Agent"),
      h("dd", null, show(a.agentId)),
      h("dt", null, "Session"),
      h("dd", null, show(a.sessionKey)),
      h("dt", null, "Host"),
      h("dd", null, show(a.host)),
      h("dt", null, "Expires"),
      h("dd", null, when(a.expiresAtMs)),
    ),
    h(
      "div",
      { class: "row" },
      button("Allow once", () => decide("allow-once"), "primary"),
      button("Always allow", () => decide("allow-always")),
      button("Deny", () => decide("deny"), "danger"),
    ),
  );
}

function mount(el: HTMLElement, ctx: PageContext): () => void {
  const { conn, approvals } = ctx;
  const list = h("div", { class: "cards", attrs: { "data-testid": "approvals" } });
  const render = () => {
    const items = approvals.list();
    replace(
      list,
      ...items.map((a) =>
        card(a, (decision) => {
          conn.call("exec.approval.resolve", { id: a.id, decision }).then(
            () => {
              approvals.remove(a.id);
              ctx.notify(`${decision}: ${a.command.slice(0, 60)}`, "ok");
            },
            (e: unknown) => ctx.notify(errorText(e), "error"),
          );
        }),
      ),
      items.length === 0 ? h("p", { class: "muted empty" }, "No commands are waiting for approval.") : null,
    );
  };
  const off = approvals.subscribe(render);
  replace(el, pageHeader("Exec approvals"), list);
  render();
  return off;
}

/** The Exec approvals page. */
export const approvalsPage: PageDef = {
  id: "approvals",
  title: "Approvals",
  needs: ["exec.approval.resolve"],
  mount,
};
