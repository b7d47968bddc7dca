/**
 * Telegram webhook mode and hot reload of channel accounts through a real gateway process:
 * - webhook: the config's webhookUrl/webhookSecret reach the Bot API via setWebhook; updates
 *   POSTed to the gateway's listener are answered only with the right secret (wrong, missing or
 *   prefix secrets get 401 and nothing is processed); a redelivered update is answered once.
 * - reload: changing one account's token and apiRoot in the config file of a running gateway
 *   restarts that account's adapter against the new Bot API; the other account keeps running.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectGateway, type GatewayClient } from "../src/client/index.js";
import { emuConfig } from "./emulators/harness.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { lastUserText, until } from "./emulators/telegram/harness.js";
import { startTelegramEmulator, type TelegramEmulator } from "./emulators/telegram/server.js";
import { type GatewayProcess, startGatewayProcess, tempStateDir } from "./support/cli.js";

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function echoModel(): Promise<OpenAIEmulator> {
  const llm = await startOpenAIEmulator();
  cleanup.push(() => llm.close());
  llm.handle((req) => ({ text: `echo: ${lastUserText(req)}` }));
  return llm;
}

async function telegram(opts: { token?: string; botId?: number } = {}): Promise<TelegramEmulator> {
  const tg = await startTelegramEmulator(opts);
  cleanup.push(() => tg.close());
  return tg;
}

async function gateway(dir: string): Promise<GatewayProcess> {
  const gw = await startGatewayProcess(dir);
  cleanup.push(() => gw.stop("SIGKILL"));
  return gw;
}

async function client(dir: string, gw: GatewayProcess): Promise<GatewayClient> {
  const token = readFileSync(join(dir, "credentials", "gateway.token"), "utf8").trim();
  const c = await connectGateway({ url: gw.url, token });
  cleanup.push(() => c.close());
  return c;
}

/** Polls an async predicate until it holds (the test timeout bounds it). */
async function eventually(fn: () => Promise<boolean | undefined>, stepMs = 50): Promise<void> {
  while (!(await fn())) await new Promise((r) => setTimeout(r, stepMs));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const open = { dmPolicy: "open", allowFrom: ["*"], pollTimeoutSeconds: 1, streamMode: "off" } as const;

type Health = { accountId: string; connected: boolean; identity?: { id: string }; reconnects: number };

describe("telegram webhook mode", () => {
  it("registers the webhook from config and answers only updates with the right secret", async () => {
    const llm = await echoModel();
    const tg = await telegram();
    const port = await freePort();
    const secret = "s3cret-token-0123456789";
    const dir = tempStateDir({
      ...emuConfig(llm.baseUrl),
      channels: {
        telegram: {
          ...open,
          botToken: tg.token,
          apiRoot: tg.apiRoot,
          webhookUrl: "https://bot.example.test/telegram-webhook",
          webhookSecret: secret,
          webhookPort: port,
        },
      },
    });
    const gw = await gateway(dir);
    await until(() => tg.webhook, 20);
    expect(tg.webhook).toEqual({ url: "https://bot.example.test/telegram-webhook", secret });
    const c = await client(dir, gw);
    await eventually(async () => {
      const st = await c.call<{ channels: Array<Health & { mode: string }> }>("channels.status");
      return st.channels.find((h) => h.mode === "webhook")?.connected;
    });

    // Telegram would POST the pending update to the webhook; this does what it does.
    const mid = tg.inject({ chatId: 777, from: { id: 777 }, text: "via webhook" });
    const update = tg.updates.at(-1);
    const post = (headers: Record<string, string>, path = "/telegram-webhook") =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(update),
      }).then((r) => r.status);
    const header = "X-Telegram-Bot-Api-Secret-Token";
    expect(await post({})).toBe(401);
    expect(await post({ [header]: "wrong-secret-0123456789" })).toBe(401);
    expect(await post({ [header]: secret.slice(0, -1) })).toBe(401);
    expect(await post({ [header]: `${secret}x` })).toBe(401);
    expect(await post({ [header]: secret }, "/elsewhere")).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.repliesTo(777, mid)).toHaveLength(0);

    expect(await post({ [header]: secret })).toBe(200);
    const reply = await until(() => tg.repliesTo(777, mid)[0], 20);
    expect(reply.text).toBe("echo: via webhook");
    // A redelivery (Telegram retries when it saw no 200) is acknowledged and not answered again.
    expect(await post({ [header]: secret })).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.repliesTo(777, mid)).toHaveLength(1);
    const log = readFileSync(join(dir, "logs", "palisade.log"), "utf8");
    expect(log).toContain("telegram webhook request refused");
    expect(log).not.toContain(secret);
  }, 60_000);
});

describe("hot reload of channel accounts", () => {
  it("restarts only the account whose token and apiRoot changed", async () => {
    const llm = await echoModel();
    const tgA = await telegram({ token: "1111:AAAA-first-bot-token-000000000000", botId: 1111 });
    const tgB = await telegram({ token: "2222:BBBB-second-bot-token-00000000000", botId: 2222 });
    const tgA2 = await telegram({ token: "3333:CCCC-replacement-token-0000000000", botId: 3333 });
    const config = (a: TelegramEmulator) => ({
      ...emuConfig(llm.baseUrl),
      channels: {
        telegram: {
          ...open,
          accounts: {
            a: { botToken: a.token, apiRoot: a.apiRoot },
            b: { botToken: tgB.token, apiRoot: tgB.apiRoot },
          },
        },
      },
    });
    const dir = tempStateDir(config(tgA));
    const gw = await gateway(dir);
    const c = await client(dir, gw);
    const status = async () =>
      (await c.call<{ channels: Array<Health & { channel: string }> }>("channels.status")).channels.filter(
        (h) => h.channel === "telegram",
      );
    const ask = async (tg: TelegramEmulator, chat: number, text: string) => {
      const mid = tg.inject({ chatId: chat, from: { id: chat }, text });
      return (await until(() => tg.repliesTo(chat, mid)[0], 20)).text;
    };
    expect(await ask(tgA, 10, "to a")).toBe("echo: to a");
    expect(await ask(tgB, 20, "to b")).toBe("echo: to b");
    const before = await status();
    const bBefore = before.find((h) => h.accountId === "b");

    writeFileSync(join(dir, "palisade.json"), JSON.stringify(config(tgA2)), { mode: 0o600 });
    await eventually(async () => (await status()).find((h) => h.accountId === "a")?.identity?.id === "3333");
    expect(await ask(tgA2, 11, "to the new a")).toBe("echo: to the new a");
    expect(await ask(tgB, 21, "still b")).toBe("echo: still b");

    // The old Bot API is no longer polled: a message there stays unconfirmed and unanswered.
    const stale = tgA.inject({ chatId: 12, from: { id: 12 }, text: "old a" });
    await new Promise((r) => setTimeout(r, 1500));
    expect(tgA.repliesTo(12, stale)).toHaveLength(0);

    const after = await status();
    expect(after.map((h) => [h.accountId, h.connected])).toEqual([
      ["a", true],
      ["b", true],
    ]);
    expect(after.find((h) => h.accountId === "b")).toMatchObject({
      identity: bBefore?.identity,
      reconnects: bBefore?.reconnects,
    });
    const lines = readFileSync(join(dir, "logs", "palisade.log"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"channel stopped"') || l.includes('"channel started"'))
      .map((l) => {
        const j = JSON.parse(l) as { msg: string; accountId?: string };
        return `${j.msg} ${j.accountId}`;
      });
    // Started: webchat, a, b at boot; then only a is stopped and started again.
    expect(lines.filter((l) => l.endsWith(" b"))).toEqual(["channel started b"]);
    expect(lines.filter((l) => l.endsWith(" a"))).toEqual([
      "channel started a",
      "channel stopped a",
      "channel started a",
    ]);
  }, 90_000);
});
