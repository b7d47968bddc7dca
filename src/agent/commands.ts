/** Chat commands handled by the gateway without calling the model. */
export type ChatCommandName = "new" | "reset" | "status" | "stop" | "help" | "approve";

/** A parsed chat command. */
export interface ChatCommand {
  readonly name: ChatCommandName;
  /** Text after the command, trimmed (e.g. `/new be terse`). */
  readonly args: string;
}

const NAMES: ReadonlySet<string> = new Set<ChatCommandName>([
  "new",
  "reset",
  "status",
  "stop",
  "help",
  "approve",
]);
const COMMAND = /^\/([A-Za-z]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/** Options for {@link parseChatCommand}. */
export interface ParseCommandOptions {
  /**
   * The bot's username: `/stop@other_bot` in a group is for another bot and is not ours.
   * Default: any `@suffix` is accepted.
   */
  readonly botUsername?: string;
}

/**
 * Parses `/new`, `/reset`, `/status`, `/stop`, `/help`, `/approve` (case-insensitive, Telegram's
 * `/cmd@bot` form allowed). Anything else, including unknown commands, is null: a normal message.
 */
export function parseChatCommand(text: string, opts: ParseCommandOptions = {}): ChatCommand | null {
  const m = COMMAND.exec(text.trim());
  if (m === null) return null;
  const name = (m[1] ?? "").toLowerCase();
  if (!NAMES.has(name)) return null;
  const bot = m[2];
  if (
    bot !== undefined &&
    opts.botUsername !== undefined &&
    bot.toLowerCase() !== opts.botUsername.toLowerCase()
  ) {
    return null;
  }
  return { name: name as ChatCommandName, args: (m[3] ?? "").trim() };
}

/** The reply to `/help`. */
export const CHAT_HELP_TEXT = [
  "Commands:",
  "/new [note] - start a new session",
  "/reset - clear this session's history",
  "/status - model, usage and queue of this session",
  "/stop - stop the current run",
  "/approve <id> [allow-once|allow-always|deny] - decide a pending exec approval (owner only)",
  "/help - this list",
].join("\n");
