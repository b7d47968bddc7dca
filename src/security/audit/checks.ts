import { CHANNEL_CHECKS } from "./checks-channels.js";
import { FS_CHECKS } from "./checks-fs.js";
import { GATEWAY_CHECKS } from "./checks-gateway.js";
import { MISC_CHECKS } from "./checks-misc.js";
import { SANDBOX_CHECKS } from "./checks-sandbox.js";
import { SECRET_CHECKS } from "./checks-secrets.js";
import { TOOL_CHECKS } from "./checks-tools.js";
import { DEEP_CHECK_IDS } from "./deep.js";
import type { Check } from "./types.js";

/** Every static check, in report order. Ids are stable: never rename or reuse one. */
export const CHECKS: readonly Check[] = [
  ...MISC_CHECKS.filter((c) => c.id === "config.invalid"),
  ...FS_CHECKS,
  ...GATEWAY_CHECKS,
  ...SECRET_CHECKS,
  ...CHANNEL_CHECKS,
  ...TOOL_CHECKS,
  ...SANDBOX_CHECKS,
  ...MISC_CHECKS.filter((c) => c.id !== "config.invalid"),
];

/** Every check id the audit can report, static and `--deep`. */
export const CHECK_IDS: readonly string[] = [...CHECKS.map((c) => c.id), ...DEEP_CHECK_IDS];
