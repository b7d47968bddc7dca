import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUILTIN_RULES,
  createLogger,
  createRedactor,
  MIN_SECRET_LENGTH,
  REDACTED,
  redactText,
} from "./index.js";

// Secrets of any characters (quotes, backslashes, control characters, emoji), at least the
// minimum length, and not made only of mask characters (those could not be told from the mask).
const secretArb = fc
  .string({ minLength: MIN_SECRET_LENGTH, maxLength: 40, unit: "binary" })
  .filter((s) => !REDACTED.repeat(6).includes(s));
const textArb = fc.string({ maxLength: 60, unit: "binary" });
const forms = (s: string) => [s, JSON.stringify(s).slice(1, -1)];
const survives = (out: string, secret: string) => forms(secret).some((f) => out.includes(f));

/** Arbitrary JSON-like values whose strings (and keys) sometimes contain the secret. */
const valueWith = (secret: string) => {
  const str = fc.oneof(
    textArb,
    fc.constant(secret),
    fc.tuple(textArb, textArb).map(([a, b]) => a + secret + b),
  );
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      str,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(str, tie("value"), { maxKeys: 4 }),
    ),
  })).value;
};

const fragments = fc.constantFrom(
  "sk-",
  "sk-ant-api03-",
  "Bearer ",
  "Authorization: ",
  "token=",
  "password=",
  '"token":"',
  '"password":',
  "123456789:",
  "-----BEGIN PRIVATE KEY-----",
  "ghp_",
  "AKIA",
  REDACTED,
  "[REDACT",
  "ED]",
  "abcdefghijklmnopqrstuvwxyz0123456789",
  "&",
  '"',
  "\\",
  "\n",
);
const patternyText = fc.array(fc.oneof(textArb, fragments), { maxLength: 12 }).map((a) => a.join(""));

describe("redaction properties", () => {
  it("a configured secret placed anywhere in text never survives redactText", () => {
    fc.assert(
      fc.property(secretArb, textArb, textArb, patternyText, (secret, a, b, c) => {
        const out = redactText(a + secret + c + secret + b, { secrets: [secret] });
        expect(survives(out, secret)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("a secret anywhere in logged messages, fields, keys and errors never reaches the output", () => {
    fc.assert(
      fc.property(
        secretArb.chain((s) => fc.tuple(fc.constant(s), valueWith(s), textArb, fc.boolean())),
        ([secret, value, text, pretty]) => {
          const lines: string[] = [];
          const log = createLogger({
            console: { write: (l) => lines.push(l) },
            pretty,
            redact: { secrets: [secret] },
          });
          log.info({ payload: value }, `${text}${secret}`);
          log.warn(new Error(`failed: ${secret}`));
          log.error({ err: new Error("outer", { cause: new Error(secret) }) }, "with cause");
          const out = lines.join("");
          expect(survives(out, secret)).toBe(false);
          if (!pretty) for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a secret anywhere in a structured payload never survives redactValue", () => {
    fc.assert(
      fc.property(
        secretArb.chain((s) => fc.tuple(fc.constant(s), valueWith(s))),
        ([secret, value]) => {
          const r = createRedactor({ secrets: [secret] });
          expect(survives(JSON.stringify(r.value({ value })), secret)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("is idempotent, with secrets, built-in and user patterns", () => {
    const r = createRedactor({ secrets: ["ED]xyz", "hunter2hunter2"], patterns: ["[A-Z]{3,}", "secret-.*"] });
    fc.assert(
      fc.property(patternyText, (text) => {
        const once = r.text(text);
        expect(r.text(once)).toBe(once);
        expect(redactText(redactText(text))).toBe(redactText(text));
      }),
      { numRuns: 500 },
    );
  });

  it("leaves text without secrets or pattern matches unchanged", () => {
    const matchesAny = (s: string) =>
      BUILTIN_RULES.some((rule) => new RegExp(rule.re.source, rule.re.flags.replace("g", "")).test(s));
    fc.assert(
      fc.property(
        fc.oneof(textArb, patternyText).filter((s) => !matchesAny(s)),
        (text) => {
          expect(redactText(text, { secrets: ["hunter2hunter2"] })).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });
});
