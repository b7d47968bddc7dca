/**
 * Sender ids in allowlists. Entries are kept as written (numbers or strings); a leading
 * `<channel>:` (or Telegram's `tg:`) prefix is accepted and ignored, `*` matches everyone.
 * Comparison is exact on the platform's stable id: never a username or display name.
 */

const PREFIXES: Readonly<Record<string, readonly string[]>> = { telegram: ["telegram:", "tg:"] };

/** An allowlist entry as the bare sender id it names on `channel`. */
export function normalizeAllowEntry(channel: string, entry: string | number): string {
  const v = String(entry).trim();
  const lower = v.toLowerCase();
  for (const p of [`${channel.toLowerCase()}:`, ...(PREFIXES[channel] ?? [])])
    if (lower.startsWith(p)) return v.slice(p.length).trim();
  return v;
}

/** Whether a list has the wildcard `*`. */
export function hasWildcard(list: readonly (string | number)[] | undefined): boolean {
  return (list ?? []).some((e) => String(e).trim() === "*");
}

/** Whether `senderId` is named in `list` (or the list has `*`). Undefined or empty lists match nobody. */
export function listMatches(
  list: readonly (string | number)[] | undefined,
  channel: string,
  senderId: string,
): boolean {
  if (list === undefined) return false;
  return list.some((e) => {
    const id = normalizeAllowEntry(channel, e);
    return id === "*" || id === senderId;
  });
}
