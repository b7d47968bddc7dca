/** What every page gets and provides, plus the small widgets pages share. */
import { type Child, h } from "../dom.js";
import { type GatewayConnection, GatewayError } from "../gateway/client.js";
import type { ApprovalQueue } from "./approvals-queue.js";

/** What a mounted page can use. */
export interface PageContext {
  readonly conn: GatewayConnection;
  /** Exec approvals seen since the app connected (kept across page switches). */
  readonly approvals: ApprovalQueue;
  /** Shows a short status message. */
  notify(text: string, kind?: "ok" | "error"): void;
  /** This browser's device id. */
  readonly deviceId: string;
}

/** A page of the app. */
export interface PageDef {
  /** Route id (`#/id`). */
  readonly id: string;
  readonly title: string;
  /** Methods the page cannot work without; missing ones show "not available". */
  readonly needs: readonly string[];
  /** Renders into `el`; returns a cleanup function. */
  mount(el: HTMLElement, ctx: PageContext): (() => void) | undefined;
}

/** Text of any thrown value, with the gateway's error code. */
export function errorText(err: unknown): string {
  if (err instanceof GatewayError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** A red box with an error. */
export function errorBox(err: unknown): HTMLElement {
  return h("div", { class: "error", attrs: { role: "alert" } }, errorText(err));
}

/** The page shown when the gateway lacks methods a page needs. */
export function notAvailable(title: string, missing: readonly string[]): HTMLElement {
  return h(
    "div",
    { class: "unavailable", attrs: { "data-unavailable": "true" } },
    h("h2", null, title),
    h("p", null, `${title} is not available on this gateway.`),
    h("p", { class: "muted" }, `It needs ${missing.join(", ")}, which this gateway does not offer yet.`),
  );
}

/** A table from column headers and rows of cells. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly Child[])[],
  empty: string,
): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted empty" }, empty);
  return h(
    "table",
    null,
    h("thead", null, h("tr", null, ...headers.map((t) => h("th", null, t)))),
    h("tbody", null, ...rows.map((r) => h("tr", null, ...r.map((c) => h("td", null, c))))),
  );
}

/** A page header with a title and optional actions. */
export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h("div", { class: "page-header" }, h("h2", null, title), h("div", { class: "actions" }, ...actions));
}

/** A fresh idempotency key. */
export function idem(): string {
  return crypto.randomUUID();
}
