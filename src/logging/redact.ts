import { redactJsonLine } from "./json-line.js";
import { BUILTIN_RULES, isSensitiveKey, REDACTED, type RedactRule } from "./patterns.js";

/** What to redact. Mirrors the config keys `logging.redactSensitive` and `logging.redactPatterns`. */
export interface RedactOptions {
  /**
   * Secret values (gateway token, bot tokens, API keys from the config) masked wherever they
   * occur, raw, JSON-escaped or URL-encoded. Values shorter than {@link MIN_SECRET_LENGTH}
   * characters are ignored so that masking does not eat ordinary words. Default none.
   */
  readonly secrets?: readonly string[];
  /**
   * Extra regular expressions (`logging.redactPatterns`), as `source` or `/source/flags`.
   * Each match is masked. Invalid ones and ones matching the empty string are skipped and
   * reported in {@link Redactor.problems}. Default none.
   */
  readonly patterns?: readonly string[];
  /**
   * `logging.redactSensitive`: "off" turns the built-in patterns and key-name rules off; any
   * other value (OpenClaw's "tools", the default) keeps them on. Secrets and `patterns` listed
   * explicitly always apply.
   */
  readonly sensitive?: string;
}

/** A user pattern that could not be used. */
export interface RedactProblem {
  /** Index in `patterns`. */
  readonly index: number;
  /** Why it was skipped; one sentence plus the fix. */
  readonly message: string;
}

/** Compiled redaction rules: build once with {@link createRedactor}, apply many times. */
export interface Redactor {
  /** Masks secrets in free text. Idempotent: `text(text(s)) === text(s)`. */
  text(s: string): string;
  /** A deep copy of `v` with every string redacted and values of secret-named keys masked. */
  value(v: unknown): unknown;
  /** Redacts one serialized JSON log line and keeps it valid JSON (see json-line.ts). */
  line(s: string): string;
  /** Secret values in their searchable forms (raw, JSON-escaped, URL-encoded), longest first. */
  readonly secretForms: readonly string[];
  /** Whether key-name rules apply (false when `sensitive` is "off"). */
  readonly keyRules: boolean;
  /** User patterns that were skipped. */
  readonly problems: readonly RedactProblem[];
}

/** Secrets shorter than this are ignored (masking "admin" everywhere would make logs useless). */
export const MIN_SECRET_LENGTH = 6;
/** Longest accepted user pattern, in characters. */
export const MAX_PATTERN_LENGTH = 1000;
const MAX_PASSES = 8;
const MAX_DEPTH = 64;

/** Builds a {@link Redactor}; never throws for bad user patterns, it reports them in `problems`. */
export function createRedactor(opts: RedactOptions = {}): Redactor {
  const problems: RedactProblem[] = [];
  const keyRules = opts.sensitive !== "off";
  // User patterns run first so that e.g. `password=.*` masks the whole rest, as its author meant.
  const rules: RedactRule[] = [];
  (opts.patterns ?? []).forEach((source, index) => {
    const compiled = compileUserPattern(source);
    if (typeof compiled === "string") problems.push({ index, message: compiled });
    else rules.push({ name: `user:${index}`, re: compiled });
  });
  if (keyRules) rules.push(...BUILTIN_RULES);
  const secretForms = secretFormsOf(opts.secrets ?? []);

  const pass = (s: string): string => {
    let out = s;
    for (const r of rules) out = applyRule(out, r);
    for (const form of secretForms) if (out.includes(form)) out = out.replaceAll(form, REDACTED);
    return out;
  };

  const text = (s: string): string => {
    let cur = s;
    for (let i = 0; i < MAX_PASSES; i++) {
      const next = pass(cur);
      if (next === cur) return cur;
      cur = next;
    }
    // Pathological overlaps between secrets and masks: withhold everything rather than guess.
    return REDACTED;
  };

  const value = (v: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof v === "string") return text(v);
    if (typeof v !== "object" || v === null) return v;
    if (depth >= MAX_DEPTH) return "[Truncated]";
    if (seen.has(v)) return "[Circular]";
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => value(item, depth + 1, seen));
      if (v instanceof Date) return v;
      const src: Record<string, unknown> =
        v instanceof Error ? errorFields(v) : (v as Record<string, unknown>);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(src)) {
        const item = src[key];
        const masked =
          keyRules &&
          isSensitiveKey(key) &&
          (typeof item === "string" || typeof item === "number" || typeof item === "bigint");
        Object.defineProperty(out, text(key), {
          value: masked ? REDACTED : value(item, depth + 1, seen),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };

  const redactor: Redactor = {
    text,
    value: (v) => value(v, 0, new WeakSet()),
    line: (s) => redactJsonLine(s, redactor),
    secretForms,
    keyRules,
    problems,
  };
  return redactor;
}

/** Applies one rule outside existing masks, so no rule ever rewrites a mask (or its own output). */
function applyRule(text: string, r: RedactRule): string {
  if (!text.includes(REDACTED)) return replaceWithMask(text, r);
  return text
    .split(REDACTED)
    .map((seg) => (seg === "" ? seg : replaceWithMask(seg, r)))
    .join(REDACTED);
}

function replaceWithMask(text: string, r: RedactRule): string {
  r.re.lastIndex = 0;
  return text.replace(r.re, (match: string, ...args: unknown[]) => {
    if (match.length === 0) return match;
    const groups = args.at(-1);
    const keep =
      typeof groups === "object" && groups !== null ? ((groups as { keep?: string }).keep ?? "") : "";
    return keep + (r.quote ? `"${REDACTED}"` : REDACTED);
  });
}

/** Compiles a user pattern (`source` or `/source/flags`); returns why it cannot be used instead of throwing. */
export function compileUserPattern(source: string): RegExp | string {
  if (typeof source !== "string" || source.length === 0) return "it is empty; remove it";
  if (source.length > MAX_PATTERN_LENGTH) {
    return `it is longer than ${MAX_PATTERN_LENGTH} characters; shorten it`;
  }
  const slashed = /^\/(.+)\/([a-z]*)$/s.exec(source);
  const body = slashed?.[1] ?? source;
  const flags = `${(slashed?.[2] ?? "").replace(/[gy]/g, "")}g`;
  let re: RegExp;
  try {
    re = new RegExp(body, flags);
  } catch (err) {
    return `it is not a valid regular expression (${(err as Error).message}); fix or remove it`;
  }
  if (new RegExp(body, flags.replace("g", "")).test("")) {
    return "it matches the empty string, which would mask nothing useful; make it match at least one character";
  }
  return re;
}

function secretFormsOf(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== "string" || s.length < MIN_SECRET_LENGTH) continue;
    for (const form of [s, JSON.stringify(s).slice(1, -1), safeEncode(s)]) {
      // A form found inside a run of masks could never be told apart from the mask itself.
      if (
        form !== undefined &&
        !REDACTED.repeat(Math.ceil(form.length / REDACTED.length) + 1).includes(form)
      ) {
        forms.add(form);
      }
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

function safeEncode(s: string): string | undefined {
  try {
    return encodeURIComponent(s);
  } catch {
    return undefined; // lone surrogates
  }
}

function errorFields(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (err.stack !== undefined) out.stack = err.stack;
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}

const cache = new WeakMap<RedactOptions, Redactor>();
const defaultRedactor = createRedactor();
const forOptions = (opts: RedactOptions | undefined): Redactor => {
  if (opts === undefined) return defaultRedactor;
  let r = cache.get(opts);
  if (!r) {
    r = createRedactor(opts);
    cache.set(opts, r);
  }
  return r;
};

/** Masks secrets in `text` with the built-in patterns plus `opts`. Reuse one options object to reuse its compiled rules. */
export function redactText(text: string, opts?: RedactOptions): string {
  return forOptions(opts).text(text);
}

/** Deep-redacted copy of a structured payload (RPC payloads, errors); same rules as {@link redactText}. */
export function redactValue(value: unknown, opts?: RedactOptions): unknown {
  return forOptions(opts).value(value);
}
