import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkText } from "./chunk.js";

describe("chunkText", () => {
  it("keeps short text whole and drops empty text", () => {
    expect(chunkText("  hello  ", 100)).toEqual(["hello"]);
    expect(chunkText("   ", 100)).toEqual([]);
  });

  it("prefers paragraph, then line, then sentence, then word boundaries", () => {
    const para = `${"a".repeat(60)}\n\n${"b".repeat(60)}`;
    expect(chunkText(para, 100)).toEqual(["a".repeat(60), "b".repeat(60)]);
    const lines = `${"a".repeat(60)}\n${"b".repeat(60)}`;
    expect(chunkText(lines, 100)).toEqual(["a".repeat(60), "b".repeat(60)]);
    const sentences = `${"a ".repeat(30)}end. ${"b ".repeat(30)}`;
    expect(chunkText(sentences, 100)[0]?.endsWith("end.")).toBe(true);
    const words = "word ".repeat(40);
    for (const c of chunkText(words, 50)) expect(c).toMatch(/^(word ?)+$/);
  });

  it("closes and reopens a code fence cut in two", () => {
    const code = `\`\`\`\n${"x = 1\n".repeat(40)}\`\`\``;
    const chunks = chunkText(code, 100);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect((c.match(/```/g) ?? []).length % 2).toBe(0);
  });

  it("newline mode sends paragraphs separately", () => {
    expect(chunkText("one\n\ntwo\n\n\nthree", 100, "newline")).toEqual(["one", "two", "three"]);
  });

  it("never exceeds the limit and never loses non-space text (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.integer({ min: 20, max: 300 }), (text, limit) => {
        const chunks = chunkText(text, limit);
        for (const c of chunks) expect(c.length).toBeLessThanOrEqual(limit);
        const strip = (s: string) => s.replace(/\s|`/g, "");
        expect(strip(chunks.join(""))).toBe(strip(text));
      }),
    );
  });
});
