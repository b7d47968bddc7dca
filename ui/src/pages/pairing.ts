/**
 * Pairing requests: devices waiting for approval (device.pair.*), live from
 * `device.pair.requested|resolved`, and chat senders waiting for DM pairing (pairing.*) when
 * the gateway offers it (no event announces those: loaded when the page opens and on Refresh).
 */
import { button, h, replace, show, when } from "../dom.js";
import { errorBox, errorText, idem, type PageContext, type PageDef, pageHeader, table } from "./page.js";

interface PairRequest {
  readonly requestId: string;
  readonly deviceId: string;
  readonly displayName?: string;
  readonly clientId?: string;
  readonly platform?: string;
  readonly remoteIp?: string;
  readonly role?: string;
  readonly scopes?: string[];
  readonly ts?: number;
}

/** A chat sender waiting for DM pairing (pairing.list: OpenClaw's fields plus ours). */
interface DmRequest {
  readonly id: string;
  readonly code: string;
  readonly channel: string;
  readonly accountId?: string;
  readonly createdAt?: string | number;
  readonly expiresAt?: string | number;
}

/** The DM pairing section and its loader (the page's Refresh reloads it too). */
function dmSection(ctx: PageContext): { el: HTMLElement; load: () => Promise<void> } {
  const title = h("h3", null, "Chat senders (DM pairing)");
  if (!ctx.conn.has("pairing.list")) {
    const el = h(
      "section",
      { attrs: { "data-section": "dm-pairing" } },
      title,
      h(
        "p",
        { class: "muted", attrs: { "data-unavailable": "true" } },
        "DM pairing is not available on this gateway.",
      ),
    );
    return { el, load: async () => {} };
  }
  const box = h("div");
  const decide = async (method: "pairing.approve" | "pairing.reject", r: DmRequest) => {
    try {
      await ctx.conn.call(method, {
        channel: r.channel,
        code: r.code,
        ...(r.accountId ? { accountId: r.accountId } : {}),
        idempotencyKey: idem(),
      });
      ctx.notify(
        `${method === "pairing.approve" ? "approved" : "rejected"} ${r.channel} sender ${r.id}`,
        "ok",
      );
    } catch (e) {
      ctx.notify(errorText(e), "error");
    }
    await load();
  };
  const load = async () => {
    try {
      const res = await ctx.conn.call<{ requests?: DmRequest[] }>("pairing.list", {});
      const rows = (res.requests ?? []).map((r) => [
        show(r.channel),
        h("code", { attrs: { "data-pairing-code": r.code } }, r.code),
        show(r.id),
        show(r.accountId),
        when(r.createdAt),
        when(r.expiresAt),
        h(
          "div",
          { class: "row" },
          button("Approve", () => void decide("pairing.approve", r), "primary"),
          button("Reject", () => void decide("pairing.reject", r), "danger"),
        ),
      ]);
      replace(
        box,
        table(
          ["Channel", "Code", "Sender", "Account", "Requested", "Expires", ""],
          rows,
          "No chat senders are waiting.",
        ),
      );
    } catch (e) {
      replace(box, errorBox(e));
    }
  };
  return { el: h("section", { attrs: { "data-section": "dm-pairing" } }, title, box), load };
}

function mount(el: HTMLElement, ctx: PageContext): () => void {
  const { conn } = ctx;
  const body = h("div", { attrs: { "data-section": "device-pairing" } });
  const decide = async (method: "device.pair.approve" | "device.pair.reject", r: PairRequest) => {
    try {
      await conn.call(method, { requestId: r.requestId, idempotencyKey: idem() });
      ctx.notify(`${method === "device.pair.approve" ? "approved" : "rejected"} ${r.requestId}`, "ok");
    } catch (e) {
      ctx.notify(errorText(e), "error");
    }
    await load();
  };
  const load = async () => {
    try {
      const res = await conn.call<{ pending: PairRequest[] }>("device.pair.list", {});
      const rows = res.pending.map((r) => [
        h("code", { attrs: { "data-request-id": r.requestId } }, r.requestId),
        h("code", { attrs: { title: r.deviceId } }, r.deviceId.slice(0, 16)),
        show(r.displayName ?? r.clientId),
        show(r.platform),
        show(r.remoteIp),
        show(r.role),
        (r.scopes ?? []).join(", "),
        when(r.ts),
        h(
          "div",
          { class: "row" },
          button("Approve", () => void decide("device.pair.approve", r), "primary"),
          button("Reject", () => void decide("device.pair.reject", r), "danger"),
        ),
      ]);
      replace(
        body,
        table(
          ["Request", "Device", "Client", "Platform", "Address", "Role", "Scopes", "Requested", ""],
          rows,
          "No devices are waiting.",
        ),
      );
    } catch (e) {
      replace(body, errorBox(e));
    }
  };
  const off = conn.onEvent((e) => {
    if (e.event === "device.pair.requested" || e.event === "device.pair.resolved") void load();
  });
  const dm = dmSection(ctx);
  replace(
    el,
    pageHeader(
      "Pairing requests",
      button("Refresh", () => {
        void load();
        void dm.load();
      }),
    ),
    h("h3", null, "Devices"),
    body,
    dm.el,
  );
  void load();
  void dm.load();
  return off;
}

/** The Pairing requests page. */
export const pairingPage: PageDef = {
  id: "pairing",
  title: "Pairing",
  needs: ["device.pair.list", "device.pair.approve", "device.pair.reject"],
  mount,
};
