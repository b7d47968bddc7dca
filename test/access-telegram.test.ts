/**
 * Every DM and group policy end to end through the Telegram emulator, the real adapter, the
 * access gate and the agent runtime against the OpenAI emulator; the CLI over the gateway and on
 * the state dir. "Not answered" is checked by counting model requests and session rows.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PalisadeConfigInput } from "../src/config/index.js";
import { listAudit } from "../src/store/index.js";
import { type AccessHarness, dm, startAccessHarness } from "./access-harness.js";
import { until } from "./emulators/telegram/harness.js";
import { TEST_TOKEN } from "./helpers/gateway.js";
import { runCliAsync } from "./support/cli.js";

let h: AccessHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const BOT = "@palisade_test_bot";
const GROUP = -100555;
const dropped = (reason: string) =>
  (
    h?.gw.store
      .statement("SELECT count(*) AS n FROM channel_inbox WHERE status = 'dropped' AND last_error = ?")
      .get(reason) as { n: number } | undefined
  )?.n ?? 0;
const inGroup = (from: number, text: string, more: Record<string, unknown> = {}) =>
  h?.tg.inject({ chatId: GROUP, chatType: "supergroup", from: { id: from }, text, ...more }) ?? 0;
const mention = (text: string) => ({ entities: [{ type: "mention", offset: 0, length: BOT.length }], text });
const withAgents = (agents: Record<string, unknown>): PalisadeConfigInput =>
  ({ agents: { defaults: { model: "emu/m1", ...agents } } }) as PalisadeConfigInput;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("DM policies", () => {
  it("allowlist: only allowFrom is answered; others get no reply and no model call", async () => {
    h = await startAccessHarness({ telegram: { dmPolicy: "allowlist", allowFrom: [111, "tg:112"] } });
    h.tg.inject(dm(222, "stranger"));
    h.tg.inject(dm(111, "friend"));
    h.tg.inject(dm(112, "friend2"));
    await until(() => h?.sentTo(111).includes("echo: friend") && h.sentTo(112).includes("echo: friend2"));
    await until(() => dropped("sender not in allowlist") === 1);
    expect(h.sentTo(222)).toEqual([]);
    expect(h.modelCallsFor("stranger")).toBe(0);
    expect(h.sessionKeys().some((k) => k.includes("222"))).toBe(false);
  });

  it('open with "*": anyone is answered', async () => {
    h = await startAccessHarness({ telegram: { dmPolicy: "open", allowFrom: ["*"] } });
    h.tg.inject(dm(333, "hi"));
    await until(() => h?.sentTo(333).includes("echo: hi"));
  });

  it("disabled: DMs are ignored without a reply, even from allowFrom", async () => {
    h = await startAccessHarness({ telegram: { dmPolicy: "disabled", allowFrom: [444] } });
    h.tg.inject(dm(444, "hello"));
    await until(() => dropped("dms disabled") === 1);
    expect(h.sentTo(444)).toEqual([]);
    expect(h.llm.requests).toHaveLength(0);
  });
});

describe("groups", () => {
  it("need a mention by default; forwarded, edited and quoted mentions do not count", async () => {
    h = await startAccessHarness({ telegram: { groups: { "*": {} } } });
    inGroup(1, "chatting among ourselves");
    const first = inGroup(2, `${BOT} what's up`, mention(`${BOT} what's up`));
    await until(() => h?.tg.repliesTo(GROUP, first).length === 1);
    const forwarded = {
      ...mention(`${BOT} fwd`),
      extra: { forward_origin: { type: "hidden_user", date: 1, sender_user_name: "x" } },
    };
    inGroup(3, `${BOT} fwd`, forwarded);
    inGroup(3, `${BOT} edited`, { ...mention(`${BOT} edited`), extra: { edit_date: 2 } });
    // Quoting someone else's mention is not a mention.
    inGroup(4, "agree", { replyToMessageId: first, extra: { quote: { text: BOT, position: 0 } } });
    await until(() => dropped("not mentioned") === 4);
    expect(h.llm.requests).toHaveLength(1);
    // A reply to the bot's own message is a mention.
    const botMsg = h.tg.repliesTo(GROUP, first)[0]?.messageId as number;
    const reply = inGroup(5, "thanks bot", { replyToMessageId: botMsg });
    await until(() => h?.tg.repliesTo(GROUP, reply).length === 1);
    expect(h.sessionKeys()).toEqual([`agent:main:telegram:group:${GROUP}`]);
  });

  it("mentionPatterns match after NFKC, case-insensitively; requireMention false answers everything", async () => {
    h = await startAccessHarness({
      telegram: { groups: { [String(GROUP)]: {}, "-100777": { requireMention: false } } },
      config: withAgents({ groupChat: { mentionPatterns: ["\\bhey pal\\b"] } }),
    });
    const a = inGroup(1, "ＨＥＹ　ＰＡＬ, status?");
    const b = inGroup(1, "hey\u200b pal?");
    const c = h.tg.inject({
      chatId: -100777,
      chatType: "supergroup",
      from: { id: 1 },
      text: "no mention here",
    });
    await until(() => h?.tg.repliesTo(GROUP, a).length === 1 && h.tg.repliesTo(GROUP, b).length === 1);
    await until(() => h?.tg.repliesTo(-100777, c).length === 1);
    inGroup(1, "hey palisade");
    await until(() => dropped("not mentioned") === 1);
  });

  it("allowlist policy: unlisted groups are dropped; sender lists apply; DM pairing grants nothing in groups", async () => {
    h = await startAccessHarness({
      telegram: { groupPolicy: "allowlist", groups: { [String(GROUP)]: { allowFrom: [10] } } },
    });
    h.tg.inject({
      chatId: -100999,
      chatType: "supergroup",
      from: { id: 10 },
      ...mention(`${BOT} hi`),
    });
    await until(() => dropped("group not allowed") === 1);
    // 11 pairs in DM, then mentions the bot in the group: still not allowed there.
    h.tg.inject(dm(11, "pair me"));
    const code = /pairing code: ([A-Z0-9]{8})/.exec(await until(() => h?.sentTo(11)[0]))?.[1];
    await h.rpc("pairing.approve", { channel: "telegram", code });
    inGroup(11, `${BOT} me too`, mention(`${BOT} me too`));
    await until(() => dropped("group sender not allowed") === 1);
    const ok = inGroup(10, `${BOT} allowed`, mention(`${BOT} allowed`));
    await until(() => h?.tg.repliesTo(GROUP, ok).length === 1);
    expect(h.modelCallsFor(`${BOT} me too`)).toBe(0);
  });

  it("groupPolicy disabled drops even mentions", async () => {
    h = await startAccessHarness({ telegram: { groupPolicy: "disabled", groups: { "*": {} } } });
    inGroup(1, `${BOT} hi`, mention(`${BOT} hi`));
    await until(() => dropped("groups disabled") === 1);
    expect(h.llm.requests).toHaveLength(0);
  });
});

describe("rate limits and roles", () => {
  it("a flood gets one polite notice, the rest are dropped silently, and the limit is audited", async () => {
    h = await startAccessHarness({
      telegram: { dmPolicy: "open", allowFrom: ["*"] },
      config: { access: { rateLimit: { perMinute: 1, burst: 2 } } },
    });
    for (let i = 0; i < 6; i++) h.tg.inject(dm(77, `m${i}`));
    await until(() => dropped("rate limited") === 4);
    await h.idle();
    const sent = h.sentTo(77);
    expect(sent.filter((t) => t.startsWith("echo:"))).toEqual(["echo: m0", "echo: m1"]);
    expect(sent.filter((t) => t.includes("faster than I can take"))).toHaveLength(1);
    expect(h.llm.requests).toHaveLength(2);
    expect(listAudit(h.gw.store, { limit: 50 }).filter((r) => r.type === "access.rate_limited")).toHaveLength(
      1,
    );
  });

  it("block and unblock with the CLI on the state dir (no gateway there), pairing over the CLI via the gateway", async () => {
    h = await startAccessHarness();
    writeFileSync(join(h.gw.dir, "palisade.json"), JSON.stringify({ gateway: { port: await freePort() } }), {
      mode: 0o600,
    });
    const local = (...args: string[]) => runCliAsync(["--state-dir", h?.gw.dir as string, ...args]);
    const remote = (...args: string[]) =>
      runCliAsync([...args, "--url", h?.gw.gw.url as string, "--token", TEST_TOKEN]);
    h.tg.inject(dm(90, "hi"));
    await until(() => h?.sentTo(90).length === 1);
    const listed = await remote("pairing", "list", "telegram", "--json");
    expect(listed.code).toBe(0);
    const code = JSON.parse(listed.stdout).requests[0].code as string;
    const approved = await remote("pairing", "approve", "telegram", code);
    expect(approved.code).toBe(0);
    h.tg.inject(dm(90, "in"));
    await until(() => h?.sentTo(90).includes("echo: in"));
    const blocked = await local("access", "block", "telegram", "90", "--reason", "spam");
    expect(blocked.code, blocked.stderr).toBe(0);
    h.tg.inject(dm(90, "still here?"));
    await until(() => dropped("sender blocked") === 1);
    expect(h.modelCallsFor("still here?")).toBe(0);
    const list = await local("access", "list");
    expect(list.stdout).toContain("telegram:90  blocked  (store; spam)");
    expect((await local("access", "unblock", "telegram", "90")).code).toBe(0);
    h.tg.inject(dm(90, "back"));
    await until(() => h?.sentTo(90).includes("echo: back"));
    const types = listAudit(h.gw.store, { limit: 100 }).map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining(["access.blocked", "access.blocked_message", "access.unblocked"]),
    );
    const none = await local("pairing", "approve", "telegram", "ZZZZZZZZ");
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("no open pairing request");
  });
});
