import { randomBytes, timingSafeEqual } from "node:crypto";

/** Pairing code characters: upper-case letters and digits without the look-alikes 0 O 1 I. */
export const PAIRING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** Characters per pairing code (OpenClaw's length). */
export const PAIRING_CODE_LENGTH = 8;

/** A source of random bytes (injected in tests); default `crypto.randomBytes`. */
export type RandomSource = (size: number) => Uint8Array;

/**
 * A fresh pairing code. The alphabet has 32 characters, so the low five bits of each random
 * byte pick one uniformly (40 bits of entropy per code).
 */
export function generatePairingCode(random: RandomSource = randomBytes): string {
  const bytes = random(PAIRING_CODE_LENGTH);
  let out = "";
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) out += PAIRING_CODE_ALPHABET[(bytes[i] ?? 0) & 31];
  return out;
}

/**
 * What a person typed, as a code: upper-cased, spaces and dashes removed. Undefined unless it
 * is exactly eight characters of the alphabet.
 */
export function normalizePairingCode(input: string): string | undefined {
  const v = input.normalize("NFKC").replace(/[\s-]/g, "").toUpperCase();
  if (v.length !== PAIRING_CODE_LENGTH) return undefined;
  for (const ch of v) if (!PAIRING_CODE_ALPHABET.includes(ch)) return undefined;
  return v;
}

/** Compares two codes in constant time (a typed challenge answer against the stored code). */
export function pairingCodesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
