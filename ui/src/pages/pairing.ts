/**
 * Pairing requests: devices waiting for approval (device.pair.*), live from
 * `device.pair.requested|resolved`, and chat senders waiting for DM pairing (pairing.*) when
 * the gateway offers it.
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

function dmSection(ctx: PageContext): HTMLElement {
  const box = h("div");
  if (!ctx.conn.has("pairing.list")) {
    return h(
      "section",
      { attrs: { "data-section": "dm-pairing" } },
      h("h3", null, "Chat senders (DM pairing)"),
      h(
        "p",
        { class: "muted", attrs: { "data-unavailable": "true" } },
        "DM pairing is not available on this gateway.",
      ),
    );
  }
  const load = async () => {
    try {
      const res = await ctx.conn.call<{ requests?: Array<Record<string, unknown>> }>("pairing.list", {});
      const rows = (res.requests ?? []).map((r) => [
        show(r.channel),
        h("code", null, show(r.code)),
        show(r.id ?? r.senderId),
        show(r.meta ?? r.displayName),
        when(r.createdAt ?? r.createdAtMs),
        button(
          "Approve",
          () =>
            void ctx.conn
              .call("pairing.approve", {
                channel: r.channel,
                code: r.code,
                ...(r.accountId ? { accountId: r.accountId } : {}),
              })
              .then(load, (e: unknown) => ctx.notify(errorText(e), "error")),
        ),
      ]);
      replace(
        box,
        table(["Channel", "Code", "Sender", "Details", "Requested", ""], rows, "No pending senders."),
      );
    } catch (e) {
      replace(box, errorBox(e));
    }
  };
  void load();
  return h(
    "section",
    { attrs: { "data-section": "dm-pairing" } },
    h("h3", null, "Chat senders (DM pairing)"),
    box,
  );
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
  replace(
    el,
    pageHeader(
      "Pairing requests",
      button("Refresh", () => void load()),
    ),
    h("h3", null, "Devices"),
    body,
    dmSection(ctx),
  );
  void load();
  return off;
}

/** The Pairing requests page. */
export const pairingPage: PageDef = {
  id: "pairing",
  title: "Pairing",
  needs: ["device.pair.list", "device.pair.approve", "device.pair.reject"],
  mount,
};
