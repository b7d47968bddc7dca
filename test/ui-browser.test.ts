/**
 * The Control UI in a real browser: Debian's headless Chromium (playwright-core) against a real
 * `palisade gateway run` process with a temp state dir and the OpenAI emulator as its model.
 * One browser walks through what an operator does: pair, chat, approve a device, edit config,
 * read logs; every page is screenshotted to test-results/ui/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectGateway, type GatewayClient } from "../src/client/index.js";
import { startOpenAIEmulator } from "./emulators/openai.js";
import { until } from "./emulators/telegram/harness.js";
import { startTelegramEmulator, type TelegramEmulator } from "./emulators/telegram/server.js";
import { makeDevice, signDevice } from "./helpers/device.js";
import { RawClient } from "./helpers/gateway.js";
import { launchBrowser, type TestBrowser } from "./support/browser.js";
import { type GatewayProcess, runCliAsync, startGatewayProcess, tempStateDir } from "./support/cli.js";

const XSS = `<img src=x onerror="window.__palisadeXss=1"><script>window.__palisadeXss=2</script>`;
/** Runs in the page: what this browser keeps (the IndexedDB kv store and localStorage). */
const STORED_STATE = `(async () => {
  const db = await new Promise((r) => { const q = indexedDB.open("palisade-control-ui"); q.onsuccess = () => r(q.result); });
  const get = (k) => new Promise((r) => { const q = db.transaction("kv").objectStore("kv").get(k); q.onsuccess = () => r(q.result); });
  const identity = await get("identity");
  return {
    deviceToken: typeof (await get("deviceToken")),
    extractable: identity?.privateKey.extractable,
    algorithm: identity?.privateKey.algorithm.name,
    localStorage: localStorage.length,
  };
})()`;
const PAGES = [
  "overview",
  "chat",
  "sessions",
  "pairing",
  "devices",
  "approvals",
  "channels",
  "config",
  "logs",
  "security",
  "usage",
];

let emu: Awaited<ReturnType<typeof startOpenAIEmulator>>;
let tg: TelegramEmulator;
let gw: GatewayProcess;
let dir: string;
let token: string;
let origin: string;
let b: TestBrowser;
let cli: GatewayClient;

beforeAll(async () => {
  emu = await startOpenAIEmulator({ apiKey: "emu-ui-key" });
  tg = await startTelegramEmulator();
  dir = tempStateDir({
    session: { dmScope: "per-channel-peer" },
    channels: {
      telegram: {
        botToken: tg.token,
        apiRoot: tg.apiRoot,
        pollTimeoutSeconds: 1,
        streamMode: "off",
        dmPolicy: "allowlist",
        allowFrom: ["31337"],
      },
    },
    models: {
      providers: {
        emu: {
          baseUrl: emu.baseUrl,
          apiKey: "${EMU_KEY}",
          api: "openai-completions",
          models: [{ id: "m1" }],
        },
      },
    },
    agents: { defaults: { model: "emu/m1" } },
  });
  gw = await startGatewayProcess(dir, ["--port", "0"], { EMU_KEY: "emu-ui-key" });
  token = readFileSync(join(dir, "credentials", "gateway.token"), "utf8").trim();
  origin = gw.url.replace("ws:", "http:");
  cli = await connectGateway({ url: gw.url, token });
  b = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await b?.close();
  cli?.close();
  await gw?.stop("SIGTERM");
  await emu?.close();
  await tg?.close();
});

const page = () => b.page;
const go = async (id: string) => {
  await page().evaluate(`location.hash = ${JSON.stringify(`#/${id}`)}`);
  await page().locator(`main[data-page="${id}"]`).waitFor();
};

describe("Control UI in Chromium", () => {
  it("serves the page with a strict CSP", async () => {
    const res = await page().goto(`${origin}/`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()["content-security-policy"] ?? "";
    for (const d of [
      "script-src 'self'",
      "connect-src 'self'",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(d);
    expect(csp).not.toContain("unsafe-inline");
    await page().locator("form.login").waitFor();
    await b.shot("login");
  });

  it("pairs the browser: the page shows the request id, the CLI approves it, the page connects", async () => {
    await page().locator("#token").fill(token);
    await page().getByRole("button", { name: "Connect" }).click();
    const pending = page().locator("[data-testid=pairing-pending] code[data-request-id]");
    await pending.waitFor({ timeout: 10_000 });
    const requestId = (await pending.getAttribute("data-request-id")) ?? "";
    expect(requestId).not.toBe("");
    await b.shot("pairing-pending");
    const approved = await runCliAsync(["--state-dir", dir, "devices", "approve", requestId]);
    expect(approved.code, approved.stderr).toBe(0);
    await page().locator("[data-testid=conn-status]").waitFor({ timeout: 15_000 });
    expect(page().url()).not.toContain(token);
    // The token was never stored; the device token lives in IndexedDB, nothing in localStorage.
    const stored = await page().evaluate(STORED_STATE);
    expect(stored).toEqual({
      deviceToken: "string",
      extractable: false,
      algorithm: "Ed25519",
      localStorage: 0,
    });
    expect(await page().content()).not.toContain(token);
  });

  it("reconnects after a reload with the device token alone", async () => {
    await page().reload();
    await page().locator("[data-testid=conn-status]").waitFor({ timeout: 10_000 });
    expect(await page().locator("form.login").count()).toBe(0);
  });

  it("chats with the model emulator: the answer streams in; abort stops a long one", async () => {
    emu.script({ text: "Hello from the emulator, streamed in pieces.", chunks: 6, delayMs: 150 });
    await go("chat");
    await page().getByLabel("Message").fill("Say hello");
    await page().getByRole("button", { name: "Send" }).click();
    await page().locator(".msg-assistant.streaming").waitFor({ timeout: 10_000 });
    const final = page().locator('.msg-assistant[data-state="final"]');
    await final.waitFor({ timeout: 15_000 });
    expect(await final.textContent()).toBe("Hello from the emulator, streamed in pieces.");
    await b.shot("chat");

    emu.script({ text: "word ".repeat(200), chunks: 100, delayMs: 200 });
    await page().getByLabel("Message").fill("Talk for a long time");
    await page().getByRole("button", { name: "Send" }).click();
    await page().locator(".msg-assistant.streaming").waitFor();
    await page().getByRole("button", { name: "Abort" }).click();
    await page().locator('.msg-assistant[data-state="aborted"]').waitFor({ timeout: 10_000 });
  });

  it("approves a second device's pairing request from the Pairing page", async () => {
    await go("pairing");
    const dev = makeDevice();
    const raw = new RawClient(gw.url, { Origin: origin });
    await raw.opened;
    const challenge = (await raw.next()) as { payload: { nonce: string } };
    const scopes = ["operator.read"];
    raw.send({
      type: "req",
      id: "c1",
      method: "connect",
      params: {
        minProtocol: 4,
        maxProtocol: 4,
        client: { id: "cli", version: "1", platform: "linux", mode: "cli" },
        role: "operator",
        scopes,
        auth: { token },
        device: signDevice(dev, challenge.payload.nonce, { token, scopes }),
      },
    });
    const refused = (await raw.response("c1")) as { error: { details: { requestId: string } } };
    const requestId = refused.error.details.requestId;
    const row = page().locator(`tr:has(code[data-request-id="${requestId}"])`);
    await row.waitFor({ timeout: 10_000 });
    await b.shot("pairing");
    await row.getByRole("button", { name: "Approve" }).click();
    await row.waitFor({ state: "detached", timeout: 10_000 });
    const list = await cli.call<{ paired: Array<{ deviceId: string }> }>("device.pair.list", {});
    expect(list.paired.map((d) => d.deviceId)).toContain(dev.id);
  });

  it("shows exec approvals as unavailable until the gateway offers exec.approval.resolve", async () => {
    await go("approvals");
    if (cli.hello.features?.methods?.includes("exec.approval.resolve")) {
      // The live queue (approve, deny) is exercised in test/ui-approvals.test.ts.
      await page().locator("[data-testid=approvals]").waitFor();
    } else {
      await page().locator("[data-unavailable]").waitFor();
      expect(await page().locator("main").textContent()).toContain("not available on this gateway");
    }
  });

  it("refuses a config save made against a stale hash and shows the conflict; every problem of an invalid one", async () => {
    await go("config");
    await page().locator("details[data-path=logging] > summary").click();
    const loadedHash = await page().locator("[data-hash]").getAttribute("data-hash");
    const before = await cli.call<{ hash: string }>("config.get", {});
    expect(before.hash).toBe(loadedHash);
    await cli.call("config.patch", {
      raw: JSON.stringify({ session: { dmScope: "per-peer" } }),
      baseHash: before.hash,
    });
    await page().getByLabel("logging.level").selectOption({ label: "debug" });
    await page().getByRole("button", { name: "Save" }).click();
    await page().locator("[data-conflict]").waitFor({ timeout: 10_000 });
    await b.shot("config-conflict");
    await page().getByRole("button", { name: "Reload the current config" }).click();
    await page().locator("details[data-path=logging] > summary").click();
    await page().getByLabel("logging.level").selectOption({ label: "debug" });
    await page().getByRole("button", { name: "Save" }).click();
    await page().locator("[data-saved]").waitFor({ timeout: 10_000 });
    const after = await cli.call<{ parsed: { logging?: { level?: string } } }>("config.get", {});
    expect(after.parsed.logging?.level).toBe("debug");

    await page().getByRole("button", { name: "Raw JSON5" }).click();
    await page()
      .getByLabel("Raw config (JSON5)")
      .fill('{ gateway: { port: "x" }, logging: { level: "loud" } }');
    await page().getByRole("button", { name: "Save" }).click();
    const problems = page().locator("[data-testid=config-result] li");
    await problems.first().waitFor({ timeout: 10_000 });
    expect(await problems.count()).toBeGreaterThanOrEqual(2);
    await b.shot("config-invalid");
  });

  it("renders an XSS payload from chat, Telegram, a session key and the log as text; nothing executes", async () => {
    emu.script({ text: `echo: ${XSS}` });
    const sent = await cli.call<{ runId: string }>("chat.send", {
      sessionKey: "main",
      message: XSS,
      idempotencyKey: "xss-1",
    });
    expect(sent.runId).toBeTruthy();
    await go("chat");
    await page().locator(".msg-assistant", { hasText: "echo: <img" }).waitFor({ timeout: 15_000 });
    expect(await page().locator(".chat-log").textContent()).toContain(XSS);
    expect(await page().locator(".chat-log img, .chat-log script").count()).toBe(0);
    // A run that fails is logged with its session key and the provider's error text: both carry
    // the payload into the gateway's log file, which the Logs page tails.
    emu.script({ status: 400, message: XSS });
    await cli.call("chat.send", { sessionKey: `xss-${XSS}`, message: "hi", idempotencyKey: "xss-2" });
    // Through a channel: a Telegram DM whose text and sender name carry the payload.
    emu.script({ text: "telegram answer" });
    const mid = tg.inject({
      chatId: 31337,
      from: { id: 31337, first_name: XSS, username: "mallory" },
      text: `tg ${XSS}`,
    });
    await until(() => tg.repliesTo(31337, mid)[0], 20);
    await go("sessions");
    await page().locator("td code", { hasText: "<img src=x" }).first().waitFor({ timeout: 10_000 });
    const tgKey = await page().locator("td code", { hasText: "31337" }).first().textContent();
    expect(tgKey).toBeTruthy();
    await go("chat");
    await page()
      .getByLabel("Session", { exact: true })
      .selectOption(tgKey ?? "");
    await page()
      .locator(".msg-user", { hasText: `tg ${XSS}` })
      .waitFor({ timeout: 10_000 });
    await b.shot("chat-telegram-xss");
    expect(await page().locator(".chat-log img, .chat-log script").count()).toBe(0);
    await go("logs");
    await page().locator(".log-line", { hasText: "<img src=x" }).first().waitFor({ timeout: 10_000 });
    await b.shot("logs-xss");
    for (const area of [".chat-log", "[data-testid=log-view]", "main"])
      expect(await page().locator(`${area} img, ${area} script`).count()).toBe(0);
    expect(await page().evaluate("window.__palisadeXss")).toBeUndefined();
  });

  it("screenshots every page; no page makes an external request or breaks the CSP", async () => {
    for (const id of PAGES) {
      await go(id);
      await page().waitForTimeout(400);
      await b.shot(id);
    }
    const external = b.requests.filter(
      (u) => !u.startsWith(origin) && !u.startsWith(gw.url) && !u.startsWith("data:"),
    );
    expect(external).toEqual([]);
    expect(b.errors.filter((e) => /Content Security Policy|Trusted Type/i.test(e))).toEqual([]);
    expect(await page().evaluate("window.__palisadeXss")).toBeUndefined();
  });
});
