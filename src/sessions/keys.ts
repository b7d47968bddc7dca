import { fail } from "../core/errors.js";

/** How DMs map to sessions (`session.dmScope`). */
export type DmScope = "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";

/** The kind of conversation a message came from. */
export type PeerKind = "direct" | "group" | "channel";

/** The default agent id and main key, as OpenClaw names them. */
export const DEFAULT_AGENT_ID = "main";
/** Key suffix of an agent's main session (`session.mainKey`). */
export const DEFAULT_MAIN_KEY = "main";
/** Account id used when a channel has a single account. */
export const DEFAULT_ACCOUNT_ID = "default";

/** Where a message came from, as far as session keys care. */
export interface SessionKeyInput {
  readonly agentId: string;
  /** `session.dmScope`; default `main`. */
  readonly dmScope?: DmScope | undefined;
  /** `session.mainKey`; default `main`. */
  readonly mainKey?: string | undefined;
  /** Channel id, e.g. `telegram`. */
  readonly channel: string;
  /** Channel account; default `default`. */
  readonly accountId?: string | undefined;
  /** Default `direct`. */
  readonly peerKind?: PeerKind | undefined;
  /** The stable sender (DM) or chat (group/channel) id. */
  readonly peerId: string;
  /** Thread/topic id; adds a `:thread:<id>` suffix. */
  readonly threadId?: string | undefined;
  /** `session.identityLinks`: canonical name -> ids (`telegram:123` or `123`) that are one person. */
  readonly identityLinks?: Readonly<Record<string, readonly string[]>> | undefined;
}

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Lower-cases and checks an agent id; OpenClaw's id rule (letters, digits, `_`, `-`). */
export function normalizeAgentId(id: string | undefined): string {
  const v = (id ?? "").trim().toLowerCase();
  if (v === "") return DEFAULT_AGENT_ID;
  if (!AGENT_ID.test(v))
    throw fail("PAL_SESSION_BAD_KEY", { key: JSON.stringify(id), detail: "bad agent id" });
  return v;
}

/**
 * Encodes one key segment. Ids that are already canonical (lower-case letters, digits and
 * `. _ - + @ = !`) appear exactly as OpenClaw writes them. Anything else (upper case, `:`, `%`,
 * spaces, unicode) is percent-encoded, so two different ids never produce the same key: OpenClaw
 * lower-cases ids, which would merge `Alice` and `alice` into one session.
 */
export function encodeKeySegment(raw: string): string {
  let out = "";
  for (const ch of raw) {
    if (/^[a-z0-9._+@=!-]$/.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, "utf8")) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function linkedPeer(input: SessionKeyInput, peerId: string): string | undefined {
  const links = input.identityLinks;
  if (links === undefined) return undefined;
  const wanted = new Set([peerId.toLowerCase(), `${input.channel}:${peerId}`.toLowerCase()]);
  for (const [canonical, ids] of Object.entries(links)) {
    if (ids.some((id) => wanted.has(id.trim().toLowerCase()))) return canonical.trim() || undefined;
  }
  return undefined;
}

/** `agent:<agentId>:<mainKey>`: the agent's main session. */
export function mainSessionKey(agentId: string, mainKey?: string): string {
  const key = (mainKey ?? "").trim() || DEFAULT_MAIN_KEY;
  return `agent:${normalizeAgentId(agentId)}:${encodeKeySegment(key.toLowerCase())}`;
}

/**
 * The session key for a message, in OpenClaw's forms:
 * - DM, `main`: `agent:<a>:<mainKey>`
 * - DM, `per-peer`: `agent:<a>:direct:<peer>`
 * - DM, `per-channel-peer`: `agent:<a>:<channel>:direct:<peer>`
 * - DM, `per-account-channel-peer`: `agent:<a>:<channel>:<account>:direct:<peer>`
 * - group or channel: `agent:<a>:<channel>:<group|channel>:<id>`
 * - a thread adds `:thread:<threadId>`.
 * Identity links map several ids of one person to one canonical peer (not under `main`).
 */
export function sessionKeyFor(input: SessionKeyInput): string {
  const agent = normalizeAgentId(input.agentId);
  const channel = encodeKeySegment(input.channel.trim().toLowerCase() || "unknown");
  const kind = input.peerKind ?? "direct";
  let base: string;
  if (kind === "direct") {
    const scope = input.dmScope ?? "main";
    const rawPeer = input.peerId.trim();
    const peer = encodeKeySegment((scope === "main" ? undefined : linkedPeer(input, rawPeer)) ?? rawPeer);
    if (scope === "main" || peer === "") base = mainSessionKey(agent, input.mainKey);
    else if (scope === "per-peer") base = `agent:${agent}:direct:${peer}`;
    else if (scope === "per-channel-peer") base = `agent:${agent}:${channel}:direct:${peer}`;
    else {
      const account = encodeKeySegment(input.accountId?.trim() || DEFAULT_ACCOUNT_ID);
      base = `agent:${agent}:${channel}:${account}:direct:${peer}`;
    }
  } else {
    const peer = encodeKeySegment(input.peerId.trim() || "unknown");
    base = `agent:${agent}:${channel}:${kind}:${peer}`;
  }
  const thread = input.threadId?.trim();
  return thread ? `${base}:thread:${encodeKeySegment(thread)}` : base;
}

/** A parsed `agent:<agentId>:<rest>` key. */
export interface ParsedSessionKey {
  readonly agentId: string;
  readonly rest: string;
}

/** Parses an `agent:<id>:<rest>` key; undefined for other shapes. */
export function parseSessionKey(key: string): ParsedSessionKey | undefined {
  const m = /^agent:([a-z0-9][a-z0-9_-]{0,63}):(.+)$/.exec(key.trim());
  return m?.[1] && m[2] ? { agentId: m[1], rest: m[2] } : undefined;
}

/**
 * Canonical store key for what a client sent: `agent:...` keys as given (agent id checked),
 * `main` or empty as the agent's main session, anything else scoped under the agent, as
 * OpenClaw's `toAgentStoreSessionKey` does.
 */
export function canonicalSessionKey(
  requested: string | undefined,
  agentId: string,
  mainKey?: string,
): string {
  const raw = (requested ?? "").trim();
  if (raw.length > 400)
    throw fail("PAL_SESSION_BAD_KEY", { key: JSON.stringify(raw.slice(0, 40)), detail: "too long" });
  if (raw === "" || raw.toLowerCase() === DEFAULT_MAIN_KEY) return mainSessionKey(agentId, mainKey);
  const parsed = parseSessionKey(raw.toLowerCase().startsWith("agent:") ? `agent:${raw.slice(6)}` : raw);
  if (parsed) return `agent:${parsed.agentId}:${parsed.rest}`;
  if (raw.toLowerCase().startsWith("agent:")) {
    throw fail("PAL_SESSION_BAD_KEY", {
      key: JSON.stringify(raw.slice(0, 80)),
      detail: "use agent:<agentId>:<rest>",
    });
  }
  return `agent:${normalizeAgentId(agentId)}:${raw}`;
}
