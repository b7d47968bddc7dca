/**
 * Routing: fast-check properties of binding resolution (deterministic, most specific tier wins,
 * config order within a tier, every set field must match) against a brute-force reading of
 * OpenClaw's rules; end to end through Telegram, bindings send a peer to its own agent, identity
 * links merge a person only when configured, and under per-peer scopes no model request ever
 * carries another peer's messages.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { PalisadeConfigInput } from "../src/config/index.js";
import { BINDING_TIERS, type BindingConfig, type RouteInput, resolveBinding } from "../src/routing/index.js";
import { type AccessHarness, dm, startAccessHarness } from "./access-harness.js";
import { lastUserText, until } from "./emulators/telegram/harness.js";

let h: AccessHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const id = fc.constantFrom("a", "b", "c");
const bindingArb: fc.Arbitrary<BindingConfig> = fc.record({
  agentId: fc.constantFrom("main", "work", "ops", "home"),
  match: fc.record(
    {
      channel: fc.constantFrom("telegram", "discord"),
      accountId: fc.constantFrom("default", "work", "*"),
      peer: fc.record({ kind: fc.constantFrom("direct", "dm", "group", "channel"), id }),
      guildId: id,
      teamId: id,
      roles: fc.array(id, { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ["channel"] },
  ),
}) as fc.Arbitrary<BindingConfig>;
const peerArb = fc.record({
  kind: fc.constantFrom("direct", "group", "channel") as fc.Arbitrary<"direct" | "group" | "channel">,
  id,
});
const inputArb: fc.Arbitrary<RouteInput> = fc.record(
  {
    channel: fc.constantFrom("telegram", "discord"),
    accountId: fc.constantFrom("default", "work"),
    peer: peerArb,
    parentPeer: peerArb,
    guildId: id,
    teamId: id,
    memberRoleIds: fc.array(id, { maxLength: 2 }),
  },
  { requiredKeys: ["channel", "accountId"] },
);

/** OpenClaw's rules read literally: all set fields must match; tier by the most specific field. */
function reference(bindings: readonly BindingConfig[], input: RouteInput): { agentId: string; tier: string } {
  const kind = (k: string) => (k === "dm" ? "direct" : k);
  const tiers: Array<string | undefined> = bindings.map((b) => {
    const m = b.match;
    if (m.channel !== input.channel) return undefined;
    if (m.accountId !== "*" && (m.accountId ?? "default") !== input.accountId) return undefined;
    if (m.guildId !== undefined && m.guildId !== input.guildId) return undefined;
    if (m.teamId !== undefined && m.teamId !== input.teamId) return undefined;
    if (m.roles?.length && !m.roles.some((r) => input.memberRoleIds?.includes(r))) return undefined;
    if (m.peer) {
      const same = (p?: { kind: string; id: string }) =>
        p !== undefined && kind(m.peer?.kind ?? "") === p.kind && m.peer?.id === p.id;
      return same(input.peer) ? "peer" : same(input.parentPeer) ? "parentPeer" : undefined;
    }
    if (m.roles?.length) return "guildRoles";
    if (m.guildId) return "guild";
    if (m.teamId) return "team";
    return m.accountId === "*" ? "channel" : "account";
  });
  for (const tier of BINDING_TIERS) {
    const i = tiers.indexOf(tier);
    if (i >= 0) return { agentId: bindings[i]?.agentId as string, tier };
  }
  return { agentId: "main", tier: "default" };
}

describe("binding resolution", () => {
  it("follows precedence and config order, deterministically", () => {
    fc.assert(
      fc.property(fc.array(bindingArb, { maxLength: 12 }), inputArb, (bindings, input) => {
        const got = resolveBinding(bindings, input, "main");
        expect({ agentId: got.agentId, tier: got.tier }).toEqual(reference(bindings, input));
        expect(resolveBinding(bindings, input, "main")).toEqual(got);
        // A binding for another channel never changes the result.
        const noise: BindingConfig = { agentId: "ops", match: { channel: "slack" } };
        expect(resolveBinding([noise, ...bindings, noise], input, "main").agentId).toBe(got.agentId);
      }),
      { numRuns: 500 },
    );
  });
});

const twoAgents = (extra: PalisadeConfigInput): PalisadeConfigInput =>
  ({
    agents: { defaults: { model: "emu/m1" }, list: [{ id: "main", default: true }, { id: "work" }] },
    ...extra,
  }) as PalisadeConfigInput;

describe("routing through Telegram", () => {
  it("a peer binding sends one sender to its own agent and sessions; others go to the default", async () => {
    h = await startAccessHarness({
      telegram: { dmPolicy: "open", allowFrom: ["*"] },
      config: twoAgents({
        bindings: [
          { agentId: "work", match: { channel: "telegram", accountId: "*" } },
          { agentId: "main", match: { channel: "telegram", peer: { kind: "dm", id: "42" } } },
        ],
      }),
    });
    h.tg.inject(dm(42, "to main"));
    h.tg.inject(dm(43, "to work"));
    await until(() => h?.sentTo(42).length === 1 && h.sentTo(43).length === 1);
    expect(h.sessionKeys().sort()).toEqual([
      "agent:main:telegram:direct:42",
      "agent:work:telegram:direct:43",
    ]);
  });

  it("identityLinks merge a person's ids only when configured", async () => {
    h = await startAccessHarness({
      telegram: { dmPolicy: "open", allowFrom: ["*"] },
      config: { session: { dmScope: "per-peer", identityLinks: { alice: ["telegram:51"] } } },
    });
    h.tg.inject(dm(51, "linked"));
    h.tg.inject(dm(52, "not linked"));
    await until(() => h?.sentTo(51).length === 1 && h.sentTo(52).length === 1);
    expect(h.sessionKeys().sort()).toEqual(["agent:main:direct:52", "agent:main:direct:alice"]);
  });

  it("under per-peer scopes no model request carries another peer's messages", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("per-peer", "per-channel-peer", "per-account-channel-peer"),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 10 }),
        async (dmScope, peers) => {
          const hh = await startAccessHarness({
            telegram: { dmPolicy: "open", allowFrom: ["*"] },
            config: { session: { dmScope } } as PalisadeConfigInput,
          });
          try {
            let i = 0;
            for (const p of peers) {
              const text = `p${p}-m${i++}`;
              hh.tg.inject(dm(p, text));
              await until(() => hh.sentTo(p).includes(`echo: ${text}`));
            }
            for (const req of hh.llm.requests) {
              const owner = lastUserText(req).split("-")[0];
              const msgs = (req.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
              for (const m of msgs.filter((x) => x.role === "user")) {
                const t = typeof m.content === "string" ? m.content : JSON.stringify(m.content);
                const p = /p(\d)-m\d+/.exec(t)?.[0]?.split("-")[0];
                if (p !== undefined) expect(p).toBe(owner);
              }
            }
          } finally {
            await hh.close();
          }
        },
      ),
      { numRuns: 4 },
    );
  });
});
