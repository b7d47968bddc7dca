/** One reset rule (`session.reset` or a `session.resetByType` entry). */
export interface ResetRule {
  /** `daily` (default): new session after the daily boundary; `idle`: after idle time; `off`. */
  readonly mode?: "daily" | "idle" | "off" | undefined;
  /** Local hour of the daily boundary, 0-23. Default 4. */
  readonly atHour?: number | undefined;
  /** Minutes without activity after which a new session starts (also applies in daily mode). */
  readonly idleMinutes?: number | undefined;
}

/** The reset part of `session`. */
export interface ResetConfig {
  readonly reset?: ResetRule | undefined;
  readonly resetByType?:
    | {
        readonly direct?: ResetRule | undefined;
        readonly group?: ResetRule | undefined;
        readonly thread?: ResetRule | undefined;
      }
    | undefined;
}

/** Conversation type, read from a session key. */
export type SessionType = "direct" | "group" | "thread";

/** The type of conversation a session key names (thread > group/channel > direct). */
export function sessionTypeOf(key: string): SessionType {
  if (key.includes(":thread:")) return "thread";
  if (/:(group|channel):/.test(key)) return "group";
  return "direct";
}

/** The rule for a session key: the per-type rule wins over `session.reset`. */
export function resetRuleFor(cfg: ResetConfig | undefined, key: string): ResetRule {
  return cfg?.resetByType?.[sessionTypeOf(key)] ?? cfg?.reset ?? {};
}

/** The most recent daily boundary at or before `now`, at local hour `atHour`. */
export function lastDailyBoundary(now: number, atHour: number): number {
  const d = new Date(now);
  d.setHours(atHour, 0, 0, 0);
  if (d.getTime() > now) d.setDate(d.getDate() - 1);
  return d.getTime();
}

/**
 * Whether a session last active at `updatedAt` has expired under `rule` at `now`: it crossed the
 * daily boundary (daily mode) or was idle longer than `idleMinutes`, whichever comes first.
 */
export function isSessionExpired(rule: ResetRule, updatedAt: number, now: number): boolean {
  const mode = rule.mode ?? "daily";
  if (mode === "off") return false;
  if (rule.idleMinutes !== undefined && now - updatedAt > rule.idleMinutes * 60_000) return true;
  if (mode === "daily") return updatedAt < lastDailyBoundary(now, rule.atHour ?? 4);
  return false;
}
