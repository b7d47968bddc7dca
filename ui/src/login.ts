/**
 * Sign-in and pairing. The gateway token is typed or pasted here once; it goes only into the
 * connect frame and lives in this closure until the device is approved and the gateway issues a
 * device token (kept in IndexedDB). While the request is pending the page shows its id and
 * the command to approve it, and retries.
 */
import { button, h, replace } from "./dom.js";
import { type Credentials, GatewayConnection, GatewayError } from "./gateway/client.js";
import type { DeviceIdentity } from "./gateway/identity.js";
import { errorText } from "./pages/page.js";

const RETRY_MS = 2000;

/** Shows the sign-in form; resolves with a connection and the credentials it used. */
export function signIn(
  root: HTMLElement,
  identity: DeviceIdentity,
  notice?: string,
): Promise<{ conn: GatewayConnection; creds: Credentials }> {
  return new Promise((resolve) => {
    const input = h("input", {
      attrs: {
        type: "password",
        autocomplete: "off",
        spellcheck: "false",
        placeholder: "gateway token",
        "aria-label": "Gateway token",
        id: "token",
      },
    });
    const message = h("div", {
      class: "login-message",
      attrs: { "aria-live": "polite", "data-testid": "login-message" },
    });
    const submit = h("button", { class: "primary", attrs: { type: "submit" } }, "Connect");
    let cancelled = false;

    const pending = (requestId: string, cancel: () => void) =>
      replace(
        message,
        h(
          "div",
          { class: "pending", attrs: { "data-testid": "pairing-pending" } },
          h(
            "p",
            null,
            h("strong", null, "Waiting for approval. "),
            "This browser asked to pair as a new device.",
          ),
          h("p", null, "Request id: ", h("code", { attrs: { "data-request-id": requestId } }, requestId)),
          h("p", null, "Approve it on the gateway host:"),
          h("pre", null, `palisade devices approve ${requestId}`),
          h(
            "p",
            { class: "muted" },
            `or from another paired Control UI (Pairing page). Device id ${identity.id}`,
          ),
          button("Cancel", cancel),
        ),
      );

    const attempt = async (token: string) => {
      const creds: Credentials = { token };
      for (;;) {
        if (cancelled) return;
        try {
          const conn = await GatewayConnection.open(identity, creds);
          resolve({ conn, creds });
          return;
        } catch (e) {
          if (cancelled) return;
          if (e instanceof GatewayError && e.detailCode === "PAIRING_REQUIRED") {
            pending(String(e.details.requestId ?? "?"), () => {
              cancelled = true;
              replace(message, h("p", { class: "muted" }, "Cancelled."));
              submit.disabled = false;
            });
          } else {
            replace(message, h("div", { class: "error", attrs: { role: "alert" } }, errorText(e)));
            submit.disabled = false;
            return;
          }
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    };

    const form = h(
      "form",
      {
        class: "login",
        on: {
          submit: (ev) => {
            ev.preventDefault();
            const token = input.value.trim();
            if (token === "") return;
            input.value = "";
            submit.disabled = true;
            cancelled = false;
            replace(message, h("p", { class: "muted" }, "Connecting…"));
            void attempt(token);
          },
        },
      },
      h("h1", null, "Palisade Control"),
      h(
        "p",
        null,
        "Paste the gateway token once to pair this browser. It is sent only in the connection handshake and is not stored; afterwards this browser uses its own device token.",
      ),
      h("p", { class: "muted" }, "Print the token on the gateway host with: palisade gateway token"),
      notice === undefined ? null : h("div", { class: "error", attrs: { role: "alert" } }, notice),
      h("label", { attrs: { for: "token" } }, "Gateway token"),
      input,
      submit,
      message,
    );
    replace(root, form);
    input.focus();
  });
}
