/**
 * Property tests (fast-check) on the real access gate and pairing service over a real store,
 * with an injected clock: pairing respects the TTL and the pending cap; no sender outside the
 * allowlist is ever allowed; no group message without a mention passes when one is required.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { AccessGate, isMentioned, MAX_PAIRING_REPLIES, mentionText } from "../src/access/index.js";
import type { InboundMessage } from "../src/channels/index.js";
import { configSchema, type PalisadeConfigInput } from "../src/config/index.js";
import { createAllowlistStore, createPairingStore, openStore, type Store } from "../src/store/index.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshStore(): Store {
  const dir = mkdtempSync(join(tmpdir(), "pal-access-prop-"));
  dirs.push(dir);
  return openStore({ file: join(dir, "state.sqlite") });
}

function message(over: Partial<InboundMessage> & { senderId: string }): InboundMessage {
  return {
    channel: "telegram",
    accountId: "default",
    messageId: `m${Math.random()}`,
    platformMessageId: "1",
    chatId: over.chatType === "group" ? "-1001" : over.senderId,
    chatType: "direct",
    senderIsBot: false,
    text: "hi",
    sentAt: 0,
    mention: { entity: false, replyToBot: false },
    edited: false,
    forwarded: false,
    ...over,
  };
}

function gate(store: Store, config: PalisadeConfigInput, clock: { t: number }) {
  return new AccessGate({
    store,
    config: configSchema.parse(config),
    defaultAgentId: "main",
    now: () => clock.t,
  });
}

const HOUR = 60 * 60_000;

describe("pairing properties", () => {
  it("at most maxPending open requests per channel, each valid exactly one hour; one code per pending sender", () => {
    const step = fc.record({
      sender: fc.integer({ min: 1, max: 8 }),
      advance: fc.integer({ min: 0, max: 40 * 60_000 }),
      approve: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const store = freshStore();
        const clock = { t: 1_000_000 };
        const g = gate(store, { channels: { telegram: { dmPolicy: "pairing" } } }, clock);
        const requests = createPairingStore(store);
        const allow = createAllowlistStore(store);
        const codes = new Map<string, { code: string; expiresAt: number }>();
        try {
          for (const s of steps) {
            clock.t += s.advance;
            const id = String(s.sender);
            const d = g.decide(message({ senderId: id }));
            const approved = allow.has("telegram", "default", id);
            expect(d.action === "allow").toBe(approved);
            const open = g.pairing.list({ channel: "telegram" });
            expect(open.length).toBeLessThanOrEqual(3);
            for (const r of requests.list()) {
              expect(r.expiresAt - r.createdAt).toBe(HOUR);
              expect(r.expiresAt).toBeGreaterThan(clock.t);
              expect(r.replies).toBeLessThanOrEqual(MAX_PAIRING_REPLIES);
              const seen = codes.get(r.senderId);
              // A pending sender keeps its code until it expires or is decided.
              if (seen !== undefined && seen.expiresAt > clock.t) expect(r.code).toBe(seen.code);
              codes.set(r.senderId, { code: r.code, expiresAt: r.expiresAt });
            }
            const mine = open.find((r) => r.id === id);
            if (s.approve && mine !== undefined) {
              g.pairing.approve("telegram", mine.code, { actor: "test" });
              codes.delete(id);
              expect(allow.has("telegram", "default", id)).toBe(true);
            }
          }
          // Past the TTL nothing is open and no old code can be approved.
          const old = g.pairing.list();
          clock.t += HOUR;
          expect(g.pairing.list()).toEqual([]);
          for (const r of old) expect(() => g.pairing.approve("telegram", r.code, { actor: "t" })).toThrow();
        } finally {
          store.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("no sender outside allowFrom and the approved list is ever allowed, under any DM policy", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("pairing", "allowlist", "open", "disabled"),
        fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 30 }),
        (policy, allowFrom, senders) => {
          const store = freshStore();
          const clock = { t: 5_000_000 };
          const list = policy === "open" ? ["*"] : allowFrom;
          const g = gate(store, { channels: { telegram: { dmPolicy: policy, allowFrom: list } } }, clock);
          try {
            for (const s of senders) {
              clock.t += 1000;
              const d = g.decide(message({ senderId: String(s), text: `msg ${s}` }));
              const allowed = policy !== "disabled" && (policy === "open" || allowFrom.includes(s));
              if (d.action === "allow") expect(allowed).toBe(true);
              // Without approvals (none happen here) the allowed set is exactly allowFrom.
              else if (policy !== "disabled") expect(allowed && d.reason !== "rate limited").toBe(false);
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("group mention properties", () => {
  const patterns = ["\\bhey pal\\b"];
  const cfg = {
    channels: { telegram: { groups: { "*": { requireMention: true } } } },
    agents: { defaults: { groupChat: { mentionPatterns: patterns } } },
    access: { rateLimit: { enabled: false } },
  } as PalisadeConfigInput;

  it("a group message passes only when it mentions the bot, and never when edited or forwarded", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom("hey pal", "ＨＥＹ ＰＡＬ", "hey\u200bpal", "HeY PaL!"),
    );
    fc.assert(
      fc.property(
        text,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (t, entity, replyToBot, edited, forwarded) => {
          const store = freshStore();
          const g = gate(store, cfg, { t: 1 });
          try {
            const msg = message({
              senderId: "5",
              chatType: "group",
              text: t,
              mention: { entity, replyToBot },
              edited,
              forwarded,
            });
            const d = g.decide(msg);
            const mentioned =
              !edited && !forwarded && (entity || replyToBot || /\bhey pal\b/iu.test(mentionText(t)));
            expect(d.action === "allow").toBe(mentioned);
            expect(isMentioned(msg, [/\bhey pal\b/iu])).toBe(mentioned);
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("end to end: nothing from a non-allowed sender reaches the model", () => {
  it("through Telegram, any DM policy and sender mix: model requests only carry allowed senders", async () => {
    const { startAccessHarness, dm } = await import("./access-harness.js");
    const { lastUserText, until } = await import("./emulators/telegram/harness.js");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("pairing", "allowlist", "disabled"),
        fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
        async (policy, allowFrom, senders) => {
          const h = await startAccessHarness({
            telegram: { dmPolicy: policy, allowFrom },
            config: { access: { rateLimit: { enabled: false } } },
          });
          try {
            senders.forEach((s, i) => {
              h.tg.inject(dm(s, `s${s}-${i}`));
            });
            await until(
              () =>
                (
                  h.gw.store
                    .statement("SELECT count(*) AS n FROM channel_inbox WHERE status IN ('done', 'dropped')")
                    .get() as { n: number }
                ).n === senders.length,
            );
            for (const req of h.llm.requests) {
              const sender = Number(/^s(\d)-/.exec(lastUserText(req))?.[1]);
              expect(policy !== "disabled" && allowFrom.includes(sender)).toBe(true);
            }
            const allowedMsgs = senders.filter((s) => policy !== "disabled" && allowFrom.includes(s)).length;
            expect(h.llm.requests).toHaveLength(allowedMsgs);
            for (const key of h.sessionKeys())
              expect(allowFrom.some((a) => key.endsWith(`:direct:${a}`))).toBe(true);
          } finally {
            await h.close();
          }
        },
      ),
      { numRuns: 5 },
    );
  });
});
