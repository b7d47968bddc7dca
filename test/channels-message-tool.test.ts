/**
 * The agent's `message` tool through a real gateway process: a Telegram DM runs the model
 * emulator, which asks for `message` to an allowed chat (the Bot API emulator receives it) and
 * to a chat outside `tools.message.allowTargets` (refused, audited, nothing sent).
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { emuConfig } from "./emulators/harness.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { until } from "./emulators/telegram/harness.js";
import { startTelegramEmulator, type TelegramEmulator } from "./emulators/telegram/server.js";
import { type GatewayProcess, startGatewayProcess, tempStateDir } from "./support/cli.js";

let tg: TelegramEmulator | undefined;
let llm: OpenAIEmulator | undefined;
let gw: GatewayProcess | undefined;
afterEach(async () => {
  await gw?.stop("SIGKILL");
  await tg?.close();
  await llm?.close();
  gw = tg = llm = undefined;
});

/** Tool-call audit rows (type tool.call) of a state dir. */
function toolAudits(dir: string): Array<Record<string, unknown>> {
  const db = new DatabaseSync(join(dir, "state.sqlite"), { readOnly: true });
  try {
    return db
      .prepare("SELECT detail FROM audit_log WHERE type = 'tool.call' ORDER BY seq")
      .all()
      .map((r) => JSON.parse(String((r as { detail: string }).detail)) as Record<string, unknown>);
  } finally {
    db.close();
  }
}

describe("message tool through the channel manager", () => {
  it("sends to an allowed Telegram chat; a disallowed target is refused and audited", async () => {
    tg = await startTelegramEmulator();
    llm = await startOpenAIEmulator();
    const owner = 31337;
    const dir = await tempStateDir({
      ...emuConfig(llm.baseUrl),
      agents: { defaults: { model: "emu/m1", sandbox: { mode: "off" } } },
      tools: { message: { allowTargets: ["telegram:4242"] } },
      channels: {
        telegram: {
          botToken: tg.token,
          apiRoot: tg.apiRoot,
          pollTimeoutSeconds: 1,
          streamMode: "off",
          dmPolicy: "allowlist",
          allowFrom: [String(owner)],
        },
      },
    });
    llm.script(
      {
        toolCalls: [
          { id: "ok", name: "message", args: { channel: "telegram", target: "4242", message: "hi 4242" } },
        ],
      },
      {
        toolCalls: [
          { id: "no", name: "message", args: { channel: "telegram", target: "9999", message: "leak" } },
        ],
      },
      { text: "done" },
    );
    gw = await startGatewayProcess(dir);
    const emu = tg;
    const mid = emu.inject({ chatId: owner, from: { id: owner }, text: "tell 4242 hi" });
    const reply = await until(() => emu.repliesTo(owner, mid)[0], 20);
    expect(reply.text).toBe("done");
    expect(emu.sent.filter((m) => m.chatId === "4242").map((m) => m.text)).toEqual(["hi 4242"]);
    expect(emu.sent.some((m) => m.chatId === "9999")).toBe(false);

    // What the model saw: a result with the platform's id, then a refusal naming the policy.
    const toolMsgs = (i: number) =>
      ((llm?.requests[i]?.body ?? {}) as { messages: Array<{ role: string; content: unknown }> }).messages
        .filter((m) => m.role === "tool")
        .map((m) => String(m.content));
    expect(JSON.parse(toolMsgs(1)[0] ?? "{}")).toMatchObject({
      ok: true,
      channel: "telegram",
      target: "4242",
    });
    expect(toolMsgs(2)[1]).toMatch(/allowTargets/);

    await gw.stop("SIGTERM");
    const audits = toolAudits(dir).filter((d) => d.tool === "message");
    expect(audits.map((a) => a.decision)).toEqual(["allowed", "refused"]);
    expect(audits[1]).toMatchObject({ code: "PAL_TOOL_MESSAGE_REFUSED", ok: false });
  }, 60_000);
});
