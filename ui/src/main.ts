/**
 * Entry: load (or make) this browser's device key, connect with the stored device token when
 * there is one, else sign in with the gateway token and pair. Credentials never come from the
 * URL: the query string and fragment are only ever read for the page route.
 */
import "./styles.css";
import { startApp } from "./app.js";
import { h, replace } from "./dom.js";
import { type Credentials, GatewayConnection, GatewayError } from "./gateway/client.js";
import {
  type DeviceIdentity,
  forgetDeviceToken,
  loadDeviceToken,
  loadIdentity,
  saveDeviceToken,
  unsupportedReason,
} from "./gateway/identity.js";
import { signIn } from "./login.js";
import { errorText } from "./pages/page.js";

const root = document.getElementById("app") as HTMLElement;

function fatal(text: string): void {
  replace(
    root,
    h("div", { class: "login" }, h("h1", null, "Palisade Control"), h("div", { class: "error" }, text)),
  );
}

async function run(identity: DeviceIdentity, notice?: string): Promise<void> {
  let creds: Credentials | undefined;
  let conn: GatewayConnection | undefined;
  const stored = await loadDeviceToken();
  if (stored !== undefined) {
    try {
      creds = { deviceToken: stored };
      conn = await GatewayConnection.open(identity, creds);
    } catch (e) {
      const auth = e instanceof GatewayError && (e.code === "UNAUTHORIZED" || e.code === "NOT_PAIRED");
      if (!auth) return fatal(`Cannot reach the gateway: ${errorText(e)}. Reload to retry.`);
      await forgetDeviceToken();
      notice = `This browser's device token was not accepted (${errorText(e)}). Sign in again.`;
      conn = undefined;
    }
  }
  if (conn === undefined) {
    const r = await signIn(root, identity, notice);
    conn = r.conn;
    creds = r.creds;
  }
  const issued = conn.hello.auth?.deviceToken;
  if (issued !== undefined) {
    await saveDeviceToken(issued);
    creds = { deviceToken: issued };
  }
  const use = creds as Credentials;
  startApp(conn, {
    root,
    deviceId: identity.id,
    reconnect: () => GatewayConnection.open(identity, use),
    signOut: () => {
      void forgetDeviceToken().then(() => run(identity));
    },
  });
}

async function boot(): Promise<void> {
  const reason = unsupportedReason();
  if (reason !== undefined) return fatal(reason);
  let identity: DeviceIdentity;
  try {
    identity = await loadIdentity();
  } catch (e) {
    return fatal(errorText(e));
  }
  await run(identity);
}

void boot();
