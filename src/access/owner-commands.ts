import type { InboundMessage } from "../channels/index.js";
import { PalisadeError } from "../core/errors.js";
import type { PairingService } from "./pairing.js";

/** Help for the owner's in-chat pairing commands. */
export const OWNER_PAIRING_HELP =
  "/pairing list - open requests\n/pairing approve <code> [channel] - let that sender talk to me\n/pairing reject <code> [channel] - drop the request";

/**
 * Handles `/pairing list|approve|reject` from an owner's DM without the model (the owner notice
 * tells the owner to answer this way). Returns the reply, or undefined when the text is not a
 * pairing command. Only called for senders whose role is owner.
 */
export function ownerCommand(
  msg: InboundMessage,
  pairing: PairingService,
  actor: string,
): string | undefined {
  const m = /^\/pairing(?:@\w+)?(?:\s+(\w+))?(?:\s+(\S+))?(?:\s+(\S+))?\s*$/i.exec(msg.text.trim());
  if (m === null) return undefined;
  const verb = (m[1] ?? "").toLowerCase();
  if (verb === "list" || verb === "") {
    const open = pairing.list();
    if (open.length === 0) return "No open pairing requests.";
    return open.map((r) => `${r.code}  ${r.channel}/${r.accountId}  sender ${r.id}  (${r.mode})`).join("\n");
  }
  if ((verb !== "approve" && verb !== "reject") || m[2] === undefined) return OWNER_PAIRING_HELP;
  const code = m[2];
  const channel = m[3] ?? pickChannel(pairing, code, msg.channel);
  try {
    const d =
      verb === "approve"
        ? pairing.approve(channel, code, { actor })
        : pairing.reject(channel, code, { actor });
    return verb === "approve"
      ? `Approved ${d.channel} sender ${d.id}.`
      : `Rejected the request of ${d.channel} sender ${d.id}.`;
  } catch (err) {
    if (err instanceof PalisadeError) return err.message;
    throw err;
  }
}

/** The channel holding `code`: the owner's own if it has it, else the only one that does. */
function pickChannel(pairing: PairingService, code: string, own: string): string {
  const upper = code.toUpperCase();
  const channels = [
    ...new Set(
      pairing
        .list()
        .filter((r) => r.code === upper)
        .map((r) => r.channel),
    ),
  ];
  return channels.length === 1 && channels[0] !== undefined ? channels[0] : own;
}
