/**
 * The app shell once connected: header, navigation (hash routes `#/page`), the current page,
 * a status line, and reconnection with the same credentials when the socket drops. Pages whose
 * methods the gateway lacks show "not available on this gateway" instead of failing.
 */
import { append, button, h, replace } from "./dom.js";
import type { GatewayConnection } from "./gateway/client.js";
import { approvalsPage } from "./pages/approvals.js";
import { ApprovalQueue, parseApproval } from "./pages/approvals-queue.js";
import { channelsPage } from "./pages/channels.js";
import { chatPage } from "./pages/chat.js";
import { configPage } from "./pages/config.js";
import { devicesPage } from "./pages/devices.js";
import { logsPage } from "./pages/logs.js";
import { overviewPage } from "./pages/overview.js";
import { notAvailable, type PageContext, type PageDef } from "./pages/page.js";
import { pairingPage } from "./pages/pairing.js";
import { securityPage } from "./pages/security.js";
import { sessionsPage } from "./pages/sessions.js";
import { usagePage } from "./pages/usage.js";

/** Every page, in navigation order. */
export const PAGES: readonly PageDef[] = [
  overviewPage,
  chatPage,
  sessionsPage,
  pairingPage,
  devicesPage,
  approvalsPage,
  channelsPage,
  configPage,
  logsPage,
  securityPage,
  usagePage,
];

/** What the shell needs from main. */
export interface AppOptions {
  readonly root: HTMLElement;
  readonly deviceId: string;
  /** Opens a new authenticated connection (for reconnects). */
  readonly reconnect: () => Promise<GatewayConnection>;
  /** Forgets this browser's device token and returns to the sign-in screen. */
  readonly signOut: () => void;
}

const RETRY_MS = [500, 1000, 2000, 5000];

/** Runs the app on a connection until sign-out. */
export function startApp(first: GatewayConnection, opts: AppOptions): void {
  let conn = first;
  const approvals = new ApprovalQueue();
  let detachApprovals = approvals.attach(conn);
  let cleanup: (() => void) | undefined;
  const nav = h("nav");
  const main = h("main", { attrs: { id: "page" } });
  const status = h("span", { class: "conn ok", attrs: { "data-testid": "conn-status" } }, "connected");
  const toast = h("div", { class: "toast", attrs: { role: "status", "aria-live": "polite" } });
  let toastTimer: number | undefined;

  const notify = (text: string, kind: "ok" | "error" = "ok") => {
    toast.textContent = text;
    toast.className = `toast show ${kind}`;
    clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => (toast.className = "toast"), kind === "error" ? 8000 : 3000);
  };

  const current = (): PageDef => {
    const id = location.hash.replace(/^#\/?/, "");
    return PAGES.find((p) => p.id === id) ?? chatPage;
  };

  const renderNav = () => {
    const active = current().id;
    const pending = approvals.list().length;
    replace(
      nav,
      ...PAGES.map((p) =>
        h(
          "a",
          { class: p.id === active ? "active" : "", attrs: { href: `#/${p.id}`, "data-page": p.id } },
          p.title,
          p.id === "approvals" && pending > 0 ? h("span", { class: "count" }, String(pending)) : null,
        ),
      ),
    );
  };

  const mountPage = () => {
    cleanup?.();
    cleanup = undefined;
    const page = current();
    renderNav();
    replace(main);
    main.dataset.page = page.id;
    const missing = page.needs.filter((m) => !conn.has(m));
    if (missing.length > 0) return append(main, notAvailable(page.title, missing));
    const ctx: PageContext = { conn, approvals, notify, deviceId: opts.deviceId };
    cleanup = page.mount(main, ctx);
  };

  const loadPendingApprovals = () => {
    if (!conn.has("exec.approval.list")) return;
    conn.call<{ pending?: unknown[]; approvals?: unknown[] }>("exec.approval.list", {}).then(
      (r) => approvals.addAll((r.pending ?? r.approvals ?? []).flatMap((p) => parseApproval(p) ?? [])),
      () => {},
    );
  };

  const watchClose = () => {
    void conn.closed.then(async (c) => {
      if (c.code === 1000 && c.reason === "bye") return;
      detachApprovals();
      status.className = "conn bad";
      status.textContent = "reconnecting…";
      for (let attempt = 0; ; attempt++) {
        await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
        try {
          conn = await opts.reconnect();
          break;
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === "UNAUTHORIZED" || code === "NOT_PAIRED" || code === "FORBIDDEN") {
            cleanup?.();
            opts.signOut();
            return;
          }
        }
      }
      status.className = "conn ok";
      status.textContent = "connected";
      detachApprovals = approvals.attach(conn);
      loadPendingApprovals();
      mountPage();
      watchClose();
    });
  };

  approvals.subscribe(renderNav);
  window.addEventListener("hashchange", mountPage);
  const server = conn.hello.server?.version ?? "";
  replace(
    opts.root,
    h(
      "header",
      null,
      h("h1", null, "Palisade"),
      h("span", { class: "muted" }, server),
      status,
      h(
        "span",
        { class: "muted device", attrs: { title: opts.deviceId } },
        `device ${opts.deviceId.slice(0, 12)}`,
      ),
      button("Sign out", () => {
        if (!confirm("Forget this browser's device token? You will need the gateway token again.")) return;
        cleanup?.();
        conn.close();
        opts.signOut();
      }),
    ),
    h("div", { class: "layout" }, nav, main),
    toast,
  );
  loadPendingApprovals();
  mountPage();
  watchClose();
}
