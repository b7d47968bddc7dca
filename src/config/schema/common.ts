import { z } from "zod";

/**
 * A sender or group id in an allowlist. OpenClaw accepts numbers (Telegram user ids) and
 * strings (phone numbers, `tg:123`, `*`); both are kept as written and compared as strings.
 */
export const allowEntrySchema = z
  .union([z.string().min(1), z.number()])
  .describe('A sender id (string or number); "*" matches everyone.');

/** An allowlist of sender ids; empty means nobody (pairing approvals are stored separately). */
export const allowListSchema = z.array(allowEntrySchema).max(10_000);

/** A list of tool names or groups (`group:fs`, `exec`, `*`). */
export const toolListSchema = z.array(z.string().min(1)).max(1000);

/** A string that may hold a secret; write it as `${VAR}` so it lives in the environment. */
export const secretStringSchema = z.string().min(1);
