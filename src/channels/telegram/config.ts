import { readFileSync } from "node:fs";
import type { PalisadeConfig } from "../../config/index.js";
import { fail } from "../../core/errors.js";
import { DEFAULT_ACCOUNT_ID } from "../../sessions/index.js";
import { DEFAULT_MAX_CONCURRENT_SENDS } from "../send-gate.js";
import type { ChannelLimits } from "../types.js";

/** Telegram's hard cap on message text, characters. */
export const TELEGRAM_MAX_TEXT = 4096;

type ChannelsConfig = PalisadeConfig["channels"];
type TelegramConfig = NonNullable<NonNullable<ChannelsConfig>["telegram"]>;

/** Webhook settings of an account (webhook mode). */
export interface TelegramWebhookSettings {
  /** Public URL Telegram posts to. */
  readonly url: string;
  /** Secret token Telegram sends back in `X-Telegram-Bot-Api-Secret-Token`. */
  readonly secret: string;
  readonly path: string;
  readonly host: string;
  readonly port: number;
}

/** One Telegram bot account, resolved from config (account keys over channel keys). */
export interface TelegramAccountSettings {
  readonly accountId: string;
  /** The bot token: a secret, never logged. */
  readonly token: string;
  readonly apiRoot?: string | undefined;
  readonly webhook?: TelegramWebhookSettings | undefined;
  readonly limits: ChannelLimits;
  /** Bot API request timeout, seconds. Default 60. */
  readonly timeoutSeconds: number;
  /** Long-poll wait, seconds. Default 25. */
  readonly pollTimeoutSeconds: number;
  /** Attempts before dead-lettering. Default 5 (or channels.defaults.maxAttempts). */
  readonly maxAttempts: number;
}

function tokenOf(c: TelegramConfig, accountId: string, readFile: (p: string) => string): string {
  if (c.botToken !== undefined && c.botToken.trim() !== "") return c.botToken.trim();
  if (c.tokenFile !== undefined) {
    let text: string;
    try {
      text = readFile(c.tokenFile);
    } catch (err) {
      throw fail(
        "PAL_CHANNEL_CONFIG",
        {
          channel: "telegram",
          detail: `cannot read tokenFile of account ${accountId}: ${(err as Error).message}`,
        },
        { cause: err },
      );
    }
    if (text.trim() !== "") return text.trim();
  }
  throw fail("PAL_CHANNEL_TOKEN_MISSING", { channel: "telegram", account: accountId });
}

function resolveOne(
  c: TelegramConfig,
  accountId: string,
  defaultAttempts: number | undefined,
  readFile: (p: string) => string,
): TelegramAccountSettings {
  const token = tokenOf(c, accountId, readFile);
  let webhook: TelegramWebhookSettings | undefined;
  if (c.webhookUrl !== undefined) {
    if (c.webhookSecret === undefined || c.webhookSecret.length < 16) {
      throw fail("PAL_CHANNEL_CONFIG", {
        channel: "telegram",
        detail: `account ${accountId} sets webhookUrl without a webhookSecret of 16+ characters; webhooks are refused without one`,
      });
    }
    webhook = {
      url: c.webhookUrl,
      secret: c.webhookSecret,
      path: c.webhookPath ?? "/telegram-webhook",
      host: c.webhookHost ?? "127.0.0.1",
      port: c.webhookPort ?? 8787,
    };
  }
  return {
    accountId,
    token,
    apiRoot: c.apiRoot,
    webhook,
    limits: {
      maxTextLength: Math.min(c.textChunkLimit ?? 4000, TELEGRAM_MAX_TEXT),
      chunkMode: c.chunkMode ?? "length",
      format: c.formatting ?? "html",
      streaming: (c.streamMode ?? "partial") === "partial",
      streamThrottleMs: c.streamThrottleMs ?? 1000,
      replyToMode: c.replyToMode ?? "first",
      maxConcurrentSends: c.maxConcurrentSends ?? DEFAULT_MAX_CONCURRENT_SENDS,
    },
    timeoutSeconds: c.timeoutSeconds ?? 60,
    pollTimeoutSeconds: c.pollTimeoutSeconds ?? 25,
    maxAttempts: c.maxAttempts ?? defaultAttempts ?? 5,
  };
}

/**
 * The enabled Telegram accounts of a config: `accounts.<id>` (each over the channel-level keys),
 * or the channel itself as account `default`. A missing token fails (PAL_CHANNEL_TOKEN_MISSING);
 * webhook mode without a secret fails (PAL_CHANNEL_CONFIG).
 */
export function resolveTelegramAccounts(
  channels: ChannelsConfig | undefined,
  readFile: (p: string) => string = (p) => readFileSync(p, "utf8"),
): TelegramAccountSettings[] {
  const c = channels?.telegram;
  if (c === undefined || c.enabled === false) return [];
  const attempts = channels?.defaults?.maxAttempts;
  const { accounts, ...base } = c;
  const entries = Object.entries(accounts ?? {});
  if (entries.length === 0) return [resolveOne(base, DEFAULT_ACCOUNT_ID, attempts, readFile)];
  const out: TelegramAccountSettings[] = [];
  for (const [id, acc] of entries) {
    const { name: _name, ...keys } = acc;
    const merged: TelegramConfig = { ...base, ...keys };
    if (merged.enabled === false) continue;
    out.push(resolveOne(merged, id, attempts, readFile));
  }
  return out;
}
