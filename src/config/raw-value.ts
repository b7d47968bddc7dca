import { fail } from "../core/errors.js";
import { formatPath } from "./config-path.js";
import { getAtPath, setConfigText } from "./edit.js";
import { parseJson5 } from "./parse.js";
import { REDACTED, redactedPaths, secretPaths } from "./secrets.js";
import { toValue } from "./tree.js";

/** The value of one file's own text (no `$include`, no `${VAR}`), or undefined when it does not parse. */
export function fileValue(text: string): unknown {
  const parsed = parseJson5(text, "<config>");
  return parsed.ok ? toValue(parsed.tree) : undefined;
}

/**
 * The file text with every set secret's value replaced by {@link REDACTED}, comments and layout
 * kept. Undefined when the text does not parse or an edit does not round-trip (show no raw
 * text rather than risk showing a secret).
 */
export function redactConfigText(text: string): string | undefined {
  const value = fileValue(text);
  if (value === undefined) return undefined;
  let out = text;
  try {
    for (const { path, set } of secretPaths(value)) if (set) out = setConfigText(out, path, REDACTED);
  } catch {
    return undefined;
  }
  return out;
}

/**
 * Puts back current values where new text still holds {@link REDACTED} (a client sent a value
 * from `config.get` back unchanged). Throws PAL_CONFIG_PATH when there is no value to restore.
 */
export function restoreRedacted(newText: string, currentText: string): string {
  const value = fileValue(newText);
  if (value === undefined) return newText;
  const current = fileValue(currentText);
  let out = newText;
  for (const path of redactedPaths(value)) {
    const was = getAtPath(current, path);
    if (!was.found || was.value === REDACTED)
      throw fail("PAL_CONFIG_PATH", {
        path: formatPath(path),
        detail:
          "it holds the redacted placeholder but the current config has no value there; send the real value",
      });
    out = setConfigText(out, path, was.value);
  }
  return out;
}
