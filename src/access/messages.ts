/**
 * The texts access control sends. Short, polite and free of anything the model wrote; a pairing
 * reply never says more than how to get access.
 */

const minutes = (ms: number) => Math.round(ms / 60_000);

/** The reply to an unknown sender in code mode. */
export function pairingCodeReply(channel: string, code: string, ttlMs: number): string {
  return [
    "Hi! I only talk to people my owner has approved.",
    `Your pairing code: ${code} (valid ${minutes(ttlMs)} minutes).`,
    `Ask the owner to approve it: palisade pairing approve ${channel} ${code}`,
  ].join("\n");
}

/** The reply to an unknown sender in challenge mode (the code went to the owner). */
export function challengeReply(ttlMs: number, attempts: number): string {
  return `Hi! I only talk to people my owner has approved. Ask the owner for your pairing code and send it here (valid ${minutes(ttlMs)} minutes, ${attempts} tries).`;
}

/** A wrong challenge answer. */
export function challengeWrongReply(left: number): string {
  return `That code is not right. ${left} ${left === 1 ? "try" : "tries"} left.`;
}

/** Too many wrong challenge answers: the sender is now blocked. */
export const CHALLENGE_BLOCKED_REPLY =
  "Too many wrong codes. This chat is now blocked; ask the owner if that is a mistake.";

/** A challenge answered correctly. */
export const PAIRED_REPLY = "You're paired. Send your message again and I'll answer.";

/** The pending cap is reached: no new code. */
export const PAIRING_BUSY_REPLY =
  "Hi! I only talk to people my owner has approved, and too many requests are waiting right now. Please try again later.";

/** The one notice when a sender is rate limited. */
export const RATE_LIMIT_REPLY =
  "You're sending messages faster than I can take them. I'll answer again in a moment.";

/** What the owner's chat is told about a new request. */
export function ownerNotice(
  r: { channel: string; accountId: string; senderId: string; code: string; mode: "code" | "challenge" },
  preview: string,
): string {
  const who = `${r.channel}${r.accountId === "default" ? "" : `/${r.accountId}`} sender ${r.senderId}`;
  const text = preview.length > 100 ? `${preview.slice(0, 100)}…` : preview;
  if (r.mode === "challenge")
    return `Pairing challenge from ${who}: "${text}"\nIf you know them, give them the code ${r.code}. Or reject: /pairing reject ${r.code}`;
  return `Pairing request from ${who}: "${text}"\nApprove: /pairing approve ${r.code} (or palisade pairing approve ${r.channel} ${r.code}); reject: /pairing reject ${r.code}`;
}

/** Sent to the requester after an approval with `notify`. */
export const APPROVED_NOTICE = "You're approved. Send a message and I'll answer.";
