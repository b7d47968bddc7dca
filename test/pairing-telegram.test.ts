/**
 * DM pairing end to end: Telegram emulator -> real adapter -> inbox -> access gate -> (after
 * approval) router -> agent runtime -> OpenAI emulator. Until approval the model is never called
 * and no session row exists; approval over RPC (and over the CLI on the state dir) lets the next
 * message through, on that channel account only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PAIRING_CODE_ALPHABET } from "../src/access/index.js";
import { listAudit } from "../src/store/index.js";
import { type AccessHarness, dm, startAccessHarness } from "./access-harness.js";
import { until } from "./emulators/telegram/harness.js";

let h: AccessHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const codeIn = (text: string) => /pairing code: ([A-Z0-9]{8})/.exec(text)?.[1];

describe("DM pairing through Telegram", () => {
  it("unknown sender gets one code, no model call, no session; RPC approval lets the next message in", async () => {
    h = await startAccessHarness();
    h.tg.inject(dm(501, "hello?"));
    const [reply] = await until(() => h?.sentTo(501).length === 1 && h.sentTo(501));
    const code = codeIn(reply ?? "") as string;
    expect(code).toHaveLength(8);
    for (const ch of code) expect(PAIRING_CODE_ALPHABET).toContain(ch);
    h.tg.inject(dm(501, "hello again"));
    h.tg.inject(dm(501, "anyone?"));
    await until(
      () =>
        h?.gw.store.statement("SELECT count(*) AS n FROM channel_inbox WHERE status = 'dropped'").get()?.n ===
        3,
    );
    await h.idle();
    expect(h.sentTo(501)).toHaveLength(1);
    expect(h.llm.requests).toHaveLength(0);
    expect(h.sessionKeys()).toEqual([]);
    const list = await h.rpc("pairing.list", { channel: "telegram" });
    expect(list.requests).toMatchObject([
      { id: "501", code, channel: "telegram", accountId: "default", mode: "code" },
    ]);
    const ok = await h.rpc("pairing.approve", { channel: "telegram", code, notify: true });
    expect(ok).toMatchObject({ approved: true, id: "501", accountId: "default", notified: true });
    await until(() => h?.sentTo(501).length === 2);
    h.tg.inject(dm(501, "now?"));
    await until(() => h?.sentTo(501).includes("echo: now?"));
    expect(h.llm.requests).toHaveLength(1);
    expect(h.sessionKeys()).toEqual(["agent:main:telegram:direct:501"]);
    expect((await h.rpc("pairing.list")).requests).toEqual([]);
    const types = listAudit(h.gw.store, { limit: 100 }).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(["pairing.requested", "pairing.approved"]));
  });

  it("caps pending requests at 3 per channel: the 4th sender is told to try later, once, without a code", async () => {
    h = await startAccessHarness();
    for (const id of [601, 602, 603]) h.tg.inject(dm(id, "hi"));
    await until(() => [601, 602, 603].every((id) => h?.sentTo(id).length === 1));
    h.tg.inject(dm(604, "me too"));
    h.tg.inject(dm(604, "me too!"));
    await until(() => h?.sentTo(604).length === 1);
    await h.idle();
    expect(h.sentTo(604)).toHaveLength(1);
    expect(codeIn(h.sentTo(604)[0] ?? "")).toBeUndefined();
    expect(h.sentTo(604)[0]).toContain("try again later");
    expect((await h.rpc("pairing.list")).requests).toHaveLength(3);
    const code = codeIn(h.sentTo(601)[0] ?? "") as string;
    const rejected = await h.rpc("pairing.reject", { code });
    expect(rejected).toMatchObject({ rejected: true, channel: "telegram", id: "601" });
    expect(h.llm.requests).toHaveLength(0);
  });

  it("wrong or unknown codes are refused with typed errors", async () => {
    h = await startAccessHarness();
    const bad = await h.op.call("pairing.approve", { channel: "telegram", code: "not-a-code" });
    expect(bad.error?.details?.palisadeCode).toBe("PAL_ACCESS_BAD_CODE");
    const none = await h.op.call("pairing.approve", { channel: "telegram", code: "ABCDEFGH" });
    expect(none.error?.details?.palisadeCode).toBe("PAL_ACCESS_PAIRING_NOT_FOUND");
  });

  it("challenge mode: the code goes to the owner's chat, the sender types it; too many wrong tries block", async () => {
    h = await startAccessHarness({
      config: {
        access: {
          pairing: { mode: "challenge", maxAttempts: 2 },
          ownerNotice: { channel: "telegram", to: 900 },
          roles: { "telegram:900": "owner" },
        },
      },
    });
    h.tg.inject(dm(701, "let me in"));
    const notice = await until(() => h?.sentTo(900)[0]);
    const code = /give them the code ([A-Z0-9]{8})/.exec(notice)?.[1] as string;
    expect(code).toHaveLength(8);
    const [ask] = await until(() => h?.sentTo(701).length === 1 && h.sentTo(701));
    expect(ask).not.toContain(code);
    h.tg.inject(dm(701, code.toLowerCase()));
    await until(() => h?.sentTo(701).length === 2);
    expect(h.sentTo(701)[1]).toContain("paired");
    h.tg.inject(dm(701, "hi"));
    await until(() => h?.sentTo(701).includes("echo: hi"));
    // A second stranger guesses wrong twice and is blocked.
    h.tg.inject(dm(702, "me"));
    await until(() => h?.sentTo(702).length === 1);
    h.tg.inject(dm(702, "AAAAAAAA"));
    await until(() => h?.sentTo(702).length === 2);
    h.tg.inject(dm(702, "BBBBBBBB"));
    await until(() => h?.sentTo(702).length === 3);
    expect(h.sentTo(702)[2]).toContain("blocked");
    h.tg.inject(dm(702, "please"));
    await until(
      () =>
        h?.gw.store
          .statement("SELECT count(*) AS n FROM channel_inbox WHERE sender_id = '702' AND status = 'dropped'")
          .get()?.n === 4,
    );
    expect(h.sentTo(702)).toHaveLength(3);
    expect(h.modelCallsFor("please")).toBe(0);
    const access = await h.rpc("access.list", { channel: "telegram" });
    expect(access.roles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ senderId: "702", role: "blocked", source: "store" }),
      ]),
    );
  });

  it("the owner approves from chat with /pairing approve, and may /approve (the owner flag reaches the agent)", async () => {
    h = await startAccessHarness({
      config: {
        access: { ownerNotice: { channel: "telegram", to: 900 }, roles: { "telegram:900": "owner" } },
      },
    });
    h.tg.inject(dm(801, "hey"));
    const notice = await until(() => h?.sentTo(900)[0]);
    const code = /\/pairing approve ([A-Z0-9]{8})/.exec(notice)?.[1] as string;
    h.tg.inject(dm(900, `/pairing approve ${code}`));
    await until(() => h?.sentTo(900).some((t) => t.startsWith("Approved telegram sender 801")));
    h.tg.inject(dm(801, "thanks"));
    await until(() => h?.sentTo(801).includes("echo: thanks"));
    h.tg.inject(dm(900, "/approve nope"));
    const owner = await until(() => h?.sentTo(900).find((t) => t !== notice && !t.startsWith("Approved")));
    expect(owner).not.toContain("Only the owner");
    h.tg.inject(dm(801, "/approve nope"));
    await until(() => h?.sentTo(801).some((t) => t.includes("Only the owner")));
  });
});
