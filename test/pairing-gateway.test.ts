/**
 * DM pairing through a real `palisade gateway run` process with its default (secure) policy:
 * the unknown sender gets a code and the model emulator sees nothing; `palisade pairing list`
 * and `pairing approve` reach the running gateway over RPC; the next message is answered. A
 * group message without a mention never reaches the model either.
 */
import { afterEach, describe, expect, it } from "vitest";
import { emuConfig } from "./emulators/harness.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { lastUserText, until } from "./emulators/telegram/harness.js";
import { startTelegramEmulator, type TelegramEmulator } from "./emulators/telegram/server.js";
import { type GatewayProcess, runCliAsync, startGatewayProcess, tempStateDir } from "./support/cli.js";

let tg: TelegramEmulator | undefined;
let llm: OpenAIEmulator | undefined;
let gw: GatewayProcess | undefined;
afterEach(async () => {
  await gw?.stop("SIGTERM");
  await tg?.close();
  await llm?.close();
  gw = tg = llm = undefined;
});

describe("pairing through a gateway process", () => {
  it("code reply without a model call, CLI approval over RPC, then answered", async () => {
    tg = await startTelegramEmulator();
    llm = await startOpenAIEmulator();
    llm.handle((req) => ({ text: `echo: ${lastUserText(req)}`, chunks: 1 }));
    const dir = tempStateDir({
      ...emuConfig(llm.baseUrl),
      session: { dmScope: "per-channel-peer" },
      channels: {
        telegram: {
          botToken: tg.token,
          apiRoot: tg.apiRoot,
          pollTimeoutSeconds: 1,
          streamMode: "off",
          groups: { "*": { requireMention: true } },
        },
      },
    });
    gw = await startGatewayProcess(dir);
    const emu = tg;
    emu.inject({ chatId: -100321, chatType: "supergroup", from: { id: 5 }, text: "nobody mentioned you" });
    const first = emu.inject({ chatId: 4001, from: { id: 4001 }, text: "who are you?" });
    const reply = await until(() => emu.repliesTo(4001, first)[0], 20);
    const code = /pairing code: ([A-Z0-9]{8})/.exec(reply.text)?.[1] as string;
    expect(code).toHaveLength(8);
    const list = await runCliAsync(["--state-dir", dir, "pairing", "list", "telegram", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).requests).toMatchObject([{ id: "4001", code, channel: "telegram" }]);
    expect(llm.requests).toHaveLength(0);
    const ok = await runCliAsync(["--state-dir", dir, "pairing", "approve", "telegram", code, "--notify"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ approved: true, id: "4001", notified: true });
    const next = emu.inject({ chatId: 4001, from: { id: 4001 }, text: "hello" });
    const answer = await until(() => emu.repliesTo(4001, next)[0], 20);
    expect(answer.text).toBe("echo: hello");
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests.every((r) => lastUserText(r) !== "nobody mentioned you")).toBe(true);
  });
});
