/**
 * The Control UI's two approval flows in Chromium against one real `palisade gateway run`:
 * exec approvals (the agent runs unsandboxed with tools.exec.ask "always", so every exec waits
 * for an operator) approved and denied from the Exec approvals page, and a Telegram stranger's
 * DM pairing request (dmPolicy pairing) approved from the Pairing page. Screenshots go to
 * test-results/ui/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectGateway, type GatewayClient, type GatewayEvent } from "../src/client/index.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { lastUserText, until } from "./emulators/telegram/harness.js";
import { startTelegramEmulator, type TelegramEmulator } from "./emulators/telegram/server.js";
import { launchBrowser, type TestBrowser } from "./support/browser.js";
import { type GatewayProcess, runCliAsync, startGatewayProcess, tempStateDir } from "./support/cli.js";

let emu: OpenAIEmulator;
let tg: TelegramEmulator;
let gw: GatewayProcess;
let dir: string;
let workspace: string;
let token: string;
let origin: string;
let b: TestBrowser;
let cli: GatewayClient;
const events: GatewayEvent[] = [];

beforeAll(async () => {
  emu = await startOpenAIEmulator({ apiKey: "emu-ui-key" });
  tg = await startTelegramEmulator();
  dir = tempStateDir();
  workspace = join(dir, "workspace");
  mkdirSync(workspace, { recursive: true });
  const config = {
    session: { dmScope: "per-channel-peer" },
    channels: {
      telegram: {
        botToken: tg.token,
        apiRoot: tg.apiRoot,
        pollTimeoutSeconds: 1,
        streamMode: "off",
        dmPolicy: "pairing",
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
    // No sandbox: exec runs on the gateway host, and "always" makes every command wait for an operator.
    agents: { defaults: { model: "emu/m1", workspace, sandbox: { mode: "off" } } },
    tools: { exec: { ask: "always" } },
  };
  writeFileSync(join(dir, "palisade.json"), JSON.stringify(config), { mode: 0o600 });
  gw = await startGatewayProcess(dir, ["--port", "0"], { EMU_KEY: "emu-ui-key" });
  token = readFileSync(join(dir, "credentials", "gateway.token"), "utf8").trim();
  origin = gw.url.replace("ws:", "http:");
  cli = await connectGateway({ url: gw.url, token });
  cli.onEvent((e) => events.push(e));
  b = await launchBrowser();
  // Pair the browser the way an operator does: type the token, approve the request on the CLI.
  await b.page.goto(`${origin}/`);
  await b.page.locator("#token").fill(token);
  await b.page.getByRole("button", { name: "Connect" }).click();
  const pending = b.page.locator("[data-testid=pairing-pending] code[data-request-id]");
  await pending.waitFor({ timeout: 10_000 });
  const requestId = (await pending.getAttribute("data-request-id")) ?? "";
  const approved = await runCliAsync(["--state-dir", dir, "devices", "approve", requestId]);
  expect(approved.code, approved.stderr).toBe(0);
  await b.page.locator("[data-testid=conn-status]").waitFor({ timeout: 15_000 });
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

/** Starts a run from the second client; `done()` resolves with its final chat event payload. */
let n = 0;
async function chat(message: string) {
  const { runId } = await cli.call<{ runId: string }>("chat.send", {
    sessionKey: "main",
    message,
    idempotencyKey: `ui-approvals-${n++}`,
  });
  const done = () =>
    until(() =>
      events.find(
        (e) =>
          e.event === "chat" &&
          (e.payload as { runId?: string }).runId === runId &&
          (e.payload as { state?: string }).state !== "delta",
      ),
    ).then((e) => e.payload as { state: string });
  return { runId, done };
}

/** Tool results the model saw in its last request. */
const lastToolResults = () =>
  ((emu.requests.at(-1)?.body.messages ?? []) as Array<{ role: string; content: unknown }>)
    .filter((m) => m.role === "tool")
    .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)));

const execTurn = (id: string, command: string) => ({ toolCalls: [{ id, name: "exec", args: { command } }] });

describe("Control UI approvals in Chromium", () => {
  it("an exec approval appears live with its exact command and cwd; Allow once lets the run continue", async () => {
    await go("approvals");
    await page().locator("[data-testid=approvals] .empty").waitFor();
    const command = "echo palisade-ui-approved && printf '<b>%s</b>' x";
    emu.script(execTurn("e1", command), { text: "ran it" });
    const before = emu.requests.length;
    const run = await chat("run the echo");
    const card = page().locator(".approval[data-approval-id]");
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator("pre.command").textContent()).toBe(command);
    expect(await card.locator("pre.cwd").textContent()).toBe(workspace);
    // Rendered as text: the command's markup is not an element.
    expect(await card.locator("b").count()).toBe(0);
    await b.shot("approvals-pending");
    const id = (await card.getAttribute("data-approval-id")) ?? "";
    const listed = await cli.call<{ approvals: Array<{ id: string }> }>("exec.approval.list", {});
    expect(listed.approvals.map((a) => a.id)).toEqual([id]);
    await card.getByRole("button", { name: "Allow once" }).click();
    await card.waitFor({ state: "detached", timeout: 10_000 });
    expect(await run.done()).toMatchObject({ state: "final" });
    expect(emu.requests.length - before).toBe(2);
    const [result] = lastToolResults();
    expect(JSON.parse(result ?? "{}")).toMatchObject({
      exitCode: 0,
      stdout: "palisade-ui-approved\n<b>x</b>",
      approvedBy: id,
    });
    await page().locator("[data-testid=approvals] .empty").waitFor();
    expect((await cli.call<{ approvals: unknown[] }>("exec.approval.list", {})).approvals).toEqual([]);
    expect(
      events.some(
        (e) =>
          e.event === "exec.approval.resolved" &&
          (e.payload as { id?: string; decision?: string }).id === id &&
          (e.payload as { decision?: string }).decision === "allow-once",
      ),
    ).toBe(true);
  });

  it("Deny: the command does not run and the model is told it was denied", async () => {
    await go("approvals");
    const command = `touch ${join(workspace, "denied-marker")}`;
    emu.script(execTurn("e2", command), { text: "understood" });
    const run = await chat("touch the marker");
    const card = page().locator(".approval[data-approval-id]");
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator("pre.command").textContent()).toBe(command);
    await card.getByRole("button", { name: "Deny" }).click();
    await card.waitFor({ state: "detached", timeout: 10_000 });
    expect(await run.done()).toMatchObject({ state: "final" });
    expect(lastToolResults().at(-1)).toMatch(/denied; the command did not run/);
    expect(existsSync(join(workspace, "denied-marker"))).toBe(false);
    await page().locator("[data-testid=approvals] .empty").waitFor();
  });

  it("a Telegram stranger's DM pairing request shows on the Pairing page; Approve lets the next message in, Reject does not", async () => {
    const before = emu.requests.length;
    emu.handle((req) => ({ text: `echo: ${lastUserText(req)}`, chunks: 1 }));
    const sentTo = (id: number) => tg.sent.filter((m) => m.chatId === String(id)).map((m) => m.text);
    const dm = (id: number, text: string) =>
      tg.inject({ chatId: id, from: { id, first_name: "Stranger" }, text });
    const codeFor = async (id: number) => {
      const [reply] = await until(() => sentTo(id).length === 1 && sentTo(id));
      const code = /pairing code: ([A-Z0-9]{8})/.exec(reply ?? "")?.[1] ?? "";
      expect(code).toHaveLength(8);
      return code;
    };
    // The page is already open when the stranger writes: Refresh picks the request up.
    await go("pairing");
    await page().locator("[data-section=dm-pairing] .empty").waitFor({ timeout: 10_000 });
    const friend = 4242;
    const stranger = 4343;
    dm(friend, "hello?");
    dm(stranger, "let me in");
    const friendCode = await codeFor(friend);
    const strangerCode = await codeFor(stranger);
    expect(emu.requests.length).toBe(before);
    await page().getByRole("button", { name: "Refresh" }).click();
    const row = (code: string) =>
      page().locator(`[data-section=dm-pairing] tr:has(code[data-pairing-code="${code}"])`);
    await row(friendCode).waitFor({ timeout: 10_000 });
    const cells = await row(friendCode).locator("td").allTextContents();
    expect(cells.slice(0, 4)).toEqual(["telegram", friendCode, String(friend), "default"]);
    // When it was requested and when it expires are shown as dates, not left blank.
    expect(cells[4]).not.toBe("—");
    expect(cells[5]).not.toBe("—");
    await row(strangerCode).waitFor();
    await b.shot("pairing-dm");
    await row(friendCode).getByRole("button", { name: "Approve" }).click();
    await row(friendCode).waitFor({ state: "detached", timeout: 10_000 });
    await row(strangerCode).getByRole("button", { name: "Reject" }).click();
    await row(strangerCode).waitFor({ state: "detached", timeout: 10_000 });
    await page().locator("[data-section=dm-pairing] .empty").waitFor({ timeout: 10_000 });
    expect((await cli.call<{ requests: unknown[] }>("pairing.list", {})).requests).toEqual([]);
    dm(friend, "now?");
    await until(() => sentTo(friend).includes("echo: now?"));
    expect(emu.requests.length - before).toBe(1);
    expect(lastUserText(emu.requests.at(-1) as (typeof emu.requests)[number])).toBe("now?");
    await b.shot("pairing-dm-approved");
  });
});
