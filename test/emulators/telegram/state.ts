/** A message a test user sends to the bot. */
export interface UserMessage {
  readonly chatId: number;
  readonly from: {
    readonly id: number;
    readonly username?: string;
    readonly first_name?: string;
    readonly is_bot?: boolean;
  };
  readonly text: string;
  /** Default private (chatId should then equal from.id). */
  readonly chatType?: "private" | "group" | "supergroup";
  /** Forum topic id (sets is_topic_message). */
  readonly threadId?: number;
  /** Id of a message in the same chat this one replies to. */
  readonly replyToMessageId?: number;
  // biome-ignore lint/suspicious/noExplicitAny: raw Bot API entities
  readonly entities?: any[];
  /** Raw Bot API message fields merged in last (forward_origin, edit_date, quote, ...). */
  readonly extra?: Record<string, unknown>;
}

/** A message the bot sent, with its edits. */
export interface BotMessage {
  readonly chatId: string;
  readonly messageId: number;
  text: string;
  parseMode: string | undefined;
  readonly replyTo: number | undefined;
  readonly threadId: number | undefined;
  /** Every text it had, first to last. */
  readonly history: string[];
  readonly sentAt: number;
}

type Json = Record<string, unknown>;

interface Waiter {
  readonly timer: ReturnType<typeof setTimeout>;
  readonly fire: () => void;
}

/** The emulator's world: pending updates, chats' messages, what the bot sent. */
export class TelegramState {
  readonly botId: number;
  readonly botUsername: string;
  /** Unconfirmed updates, oldest first. */
  readonly updates: Array<{ update_id: number; message: Json }> = [];
  /** Every message the bot sent, in order. */
  readonly sent: BotMessage[] = [];
  readonly actions: Array<{ chatId: string; action: string }> = [];
  webhook: { url: string; secret: string | undefined } | undefined;
  /** Called for every message the bot sends (benchmarks time replies with it). */
  onSent: ((b: BotMessage) => void) | undefined;
  #nextUpdate = 1;
  readonly #msgIds = new Map<string, number>();
  readonly #messages = new Map<string, Json>();
  readonly #botMessages = new Map<string, BotMessage>();
  readonly #waiters = new Set<Waiter>();

  constructor(botId: number, botUsername: string) {
    this.botId = botId;
    this.botUsername = botUsername;
  }

  me(): Json {
    return {
      id: this.botId,
      is_bot: true,
      first_name: "Palisade Test",
      username: this.botUsername,
      can_join_groups: true,
    };
  }

  #nextId(chatId: string): number {
    const n = (this.#msgIds.get(chatId) ?? 0) + 1;
    this.#msgIds.set(chatId, n);
    return n;
  }

  /** Adds an update for a user message; returns its message_id. */
  inject(m: UserMessage): number {
    const chatId = String(m.chatId);
    const id = this.#nextId(chatId);
    const type = m.chatType ?? "private";
    const key = `${chatId}:${m.replyToMessageId}`;
    const botReply = this.#botMessages.get(key);
    const reply =
      m.replyToMessageId === undefined
        ? undefined
        : botReply === undefined
          ? this.#messages.get(key)
          : this.#asMessage(botReply);
    const message: Json = {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat:
        type === "private"
          ? { id: m.chatId, type, first_name: m.from.first_name ?? "User" }
          : { id: m.chatId, type, title: "Group", ...(m.threadId === undefined ? {} : { is_forum: true }) },
      from: {
        id: m.from.id,
        is_bot: m.from.is_bot ?? false,
        first_name: m.from.first_name ?? "User",
        ...(m.from.username === undefined ? {} : { username: m.from.username }),
      },
      text: m.text,
      ...(m.entities === undefined ? {} : { entities: m.entities }),
      ...(m.threadId === undefined ? {} : { message_thread_id: m.threadId, is_topic_message: true }),
      ...(reply === undefined ? {} : { reply_to_message: reply }),
      ...m.extra,
    };
    this.#messages.set(`${chatId}:${id}`, message);
    this.updates.push({ update_id: this.#nextUpdate++, message });
    for (const w of [...this.#waiters]) w.fire();
    return id;
  }

  #asMessage(b: BotMessage): Json {
    return {
      message_id: b.messageId,
      date: Math.floor(b.sentAt / 1000),
      chat: { id: Number(b.chatId), type: "private" },
      from: { ...this.me() },
      text: b.text,
    };
  }

  /** Confirms updates below `offset`, then returns up to `limit` pending ones. */
  poll(offset: number | undefined, limit: number): Json[] {
    if (offset !== undefined && offset > 0) {
      while (this.updates.length > 0 && (this.updates[0]?.update_id ?? 0) < offset) this.updates.shift();
    }
    return this.updates.slice(0, Math.max(1, Math.min(100, limit)));
  }

  /** Calls `fn` once, when an update arrives or after `ms`; the returned function cancels it. */
  wait(ms: number, fn: () => void): () => void {
    let done = false;
    const w: Waiter = {
      timer: setTimeout(() => w.fire(), ms),
      fire: () => {
        if (done) return;
        done = true;
        clearTimeout(w.timer);
        this.#waiters.delete(w);
        fn();
      },
    };
    this.#waiters.add(w);
    return () => {
      done = true;
      clearTimeout(w.timer);
      this.#waiters.delete(w);
    };
  }

  /** Answers every pending long poll now. */
  wakeAll(): void {
    for (const w of [...this.#waiters]) w.fire();
  }

  sendMessage(p: Json): Json | string {
    const chatId = String(p.chat_id);
    const rp = p.reply_parameters as
      | { message_id?: number; allow_sending_without_reply?: boolean }
      | undefined;
    const target = `${chatId}:${rp?.message_id}`;
    const exists = this.#messages.has(target) || this.#botMessages.has(target);
    if (rp?.message_id !== undefined && !exists && rp.allow_sending_without_reply !== true) {
      return "Bad Request: message to be replied not found";
    }
    const b: BotMessage = {
      chatId,
      messageId: this.#nextId(chatId),
      text: String(p.text),
      parseMode: p.parse_mode === undefined ? undefined : String(p.parse_mode),
      replyTo: rp?.message_id,
      threadId: p.message_thread_id === undefined ? undefined : Number(p.message_thread_id),
      history: [String(p.text)],
      sentAt: Date.now(),
    };
    this.sent.push(b);
    this.onSent?.(b);
    this.#botMessages.set(`${chatId}:${b.messageId}`, b);
    return this.#asMessage(b);
  }

  editMessage(p: Json): Json | string {
    const b = this.#botMessages.get(`${String(p.chat_id)}:${String(p.message_id)}`);
    if (b === undefined) return "Bad Request: message to edit not found";
    const text = String(p.text);
    const mode = p.parse_mode === undefined ? undefined : String(p.parse_mode);
    if (text === b.text && mode === b.parseMode) {
      return "Bad Request: message is not modified: specified new message content and reply markup are exactly the same";
    }
    b.text = text;
    b.parseMode = mode;
    b.history.push(text);
    return this.#asMessage(b);
  }

  /** Bot messages replying to message `messageId` of `chatId`. */
  repliesTo(chatId: number | string, messageId: number): BotMessage[] {
    return this.sent.filter((b) => b.chatId === String(chatId) && b.replyTo === messageId);
  }
}
