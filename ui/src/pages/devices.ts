/** Devices: paired devices with their roles, scopes and tokens; revoke, rotate, remove. */
import { button, h, replace, show, when } from "../dom.js";
import { errorBox, errorText, idem, type PageContext, type PageDef, pageHeader, table } from "./page.js";

interface TokenSummary {
  readonly role: string;
  readonly scopes: string[];
  readonly revokedAtMs?: number;
  readonly lastUsedAtMs?: number;
}

interface Device {
  readonly deviceId: string;
  readonly displayName?: string;
  readonly clientId?: string;
  readonly platform?: string;
  readonly remoteIp?: string;
  readonly roles: string[];
  readonly scopes: string[];
  readonly approvedAtMs: number;
  readonly tokens: TokenSummary[];
}

function tokenText(t: TokenSummary): string {
  const state = t.revokedAtMs === undefined ? "active" : "revoked";
  return `${t.role}: ${state}${t.lastUsedAtMs === undefined ? "" : `, used ${when(t.lastUsedAtMs)}`}`;
}

function mount(el: HTMLElement, ctx: PageContext): () => void {
  const { conn } = ctx;
  const body = h("div");
  const act = async (method: string, params: Record<string, unknown>, done: string, ask?: string) => {
    if (ask !== undefined && !confirm(ask)) return;
    try {
      await conn.call(method, { ...params, idempotencyKey: idem() });
      ctx.notify(done, "ok");
    } catch (e) {
      ctx.notify(errorText(e), "error");
    }
    await load();
  };
  const load = async () => {
    try {
      const res = await conn.call<{ paired: Device[] }>("device.pair.list", {});
      const rows = res.paired.map((d) => {
        const self = d.deviceId === ctx.deviceId;
        return [
          h("code", { attrs: { title: d.deviceId } }, d.deviceId.slice(0, 16)),
          h(
            "span",
            null,
            show(d.displayName ?? d.clientId),
            self ? h("strong", null, " (this browser)") : null,
          ),
          show(d.platform),
          d.roles.join(", "),
          d.scopes.join(", "),
          d.tokens.map(tokenText).join("; "),
          when(d.approvedAtMs),
          h(
            "div",
            { class: "row" },
            button(
              "Rotate",
              () =>
                void act("device.token.rotate", { deviceId: d.deviceId, role: "operator" }, "token rotated"),
            ),
            button(
              "Revoke",
              () =>
                void act(
                  "device.token.revoke",
                  { deviceId: d.deviceId, role: "operator" },
                  "token revoked",
                  self ? "Revoke this browser's own token? It will be disconnected." : undefined,
                ),
            ),
            button(
              "Remove",
              () =>
                void act(
                  "device.pair.remove",
                  { deviceId: d.deviceId },
                  "device removed",
                  `Remove device ${d.deviceId.slice(0, 16)}? It will have to pair again.`,
                ),
              "danger",
            ),
          ),
        ];
      });
      replace(
        body,
        table(
          ["Device", "Name", "Platform", "Roles", "Scopes", "Tokens", "Approved", ""],
          rows,
          "No paired devices.",
        ),
      );
    } catch (e) {
      replace(body, errorBox(e));
    }
  };
  const off = conn.onEvent((e) => {
    if (e.event === "device.pair.resolved") void load();
  });
  replace(
    el,
    pageHeader(
      "Devices",
      button("Refresh", () => void load()),
    ),
    body,
  );
  void load();
  return off;
}

/** The Devices page. */
export const devicesPage: PageDef = {
  id: "devices",
  title: "Devices",
  needs: ["device.pair.list", "device.token.revoke", "device.pair.remove"],
  mount,
};
