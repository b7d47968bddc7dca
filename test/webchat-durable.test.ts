/**
 * WebChat through the durable inbox, with a real gateway process and the model emulator:
 * `chat.send` is in the inbox when it is acknowledged, a SIGKILL mid-run resumes the run under
 * the same run id after restart, and the idempotencyKey dedupes across restarts (a finished key
 * is never run again; the same key with another message is refused).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { connectGateway, type GatewayClient } from "../src/client/index.js";
import { emuConfig } from "./emulators/harness.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { lastUserText, until } from "./emulators/telegram/harness.js";
import { type GatewayProcess, startGatewayProcess, tempStateDir } from "./support/cli.js";

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function gateway(dir: string): Promise<{ gw: GatewayProcess; c: GatewayClient }> {
  const gw = await startGatewayProcess(dir);
  cleanup.push(() => gw.stop("SIGKILL"));
  const token = readFileSync(join(dir, "credentials", "gateway.token"), "utf8").trim();
  const c = await connectGateway({ url: gw.url, token });
  cleanup.push(() => c.close());
  return { gw, c };
}

function inboxRow(dir: string, key: string): { status: string; attempts: number } | undefined {
  const db = new DatabaseSync(join(dir, "state.sqlite"), { readOnly: true });
  try {
    return db
      .prepare("SELECT status, attempts FROM channel_inbox WHERE channel = 'webchat' AND message_id = ?")
      .get(key) as { status: string; attempts: number } | undefined;
  } finally {
    db.close();
  }
}

type History = { messages: Array<{ role: string; content: Array<{ text?: string }> | string }> };
const texts = (h: History, role: string) =>
  h.messages
    .filter((m) => m.role === role)
    .map((m) => (typeof m.content === "string" ? m.content : m.content.map((p) => p.text ?? "").join("")));

describe("WebChat chat.send through the durable inbox", () => {
  it("persists before the ack, resumes after SIGKILL under the same run id, dedupes across restarts", async () => {
    const llm: OpenAIEmulator = await startOpenAIEmulator();
    cleanup.push(() => llm.close());
    let slow = true;
    llm.handle((req) => ({ text: `echo: ${lastUserText(req)}`, ...(slow ? { delayMs: 30_000 } : {}) }));
    const dir = tempStateDir(emuConfig(llm.baseUrl));
    const first = await gateway(dir);
    const send = (c: GatewayClient, message: string, idempotencyKey: string) =>
      c.call<{ runId: string; status: string }>("chat.send", { sessionKey: "main", message, idempotencyKey });

    expect(await send(first.c, "hello", "key-1")).toEqual({ runId: "key-1", status: "started" });
    expect(inboxRow(dir, "key-1")?.status).toMatch(/pending|processing/);
    await until(() => llm.requests.length === 1 || undefined, 20);
    await first.gw.stop("SIGKILL");

    slow = false;
    const second = await gateway(dir);
    // The resumed run keeps its run id; asking again while it runs (or after) never starts another.
    const again = await send(second.c, "hello", "key-1");
    expect(again.runId).toBe("key-1");
    expect(["in_flight", "ok"]).toContain(again.status);
    await until(() => inboxRow(dir, "key-1")?.status === "done" || undefined, 20);
    expect(inboxRow(dir, "key-1")?.attempts).toBe(2);
    const history = await second.c.call<History>("chat.history", { sessionKey: "main" });
    expect(texts(history, "assistant")).toEqual(["echo: hello"]);
    const requests = llm.requests.length;

    await second.gw.stop("SIGTERM");
    const third = await gateway(dir);
    expect(await send(third.c, "hello", "key-1")).toEqual({ runId: "key-1", status: "ok" });
    await expect(send(third.c, "something else", "key-1")).rejects.toThrow(/idempotency/i);
    expect(await send(third.c, "next", "key-2")).toEqual({ runId: "key-2", status: "started" });
    await until(() => inboxRow(dir, "key-2")?.status === "done" || undefined, 20);
    expect(llm.requests.length).toBe(requests + 1);
  }, 90_000);
});
