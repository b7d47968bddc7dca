import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml, markdownToTelegramHtml } from "./format.js";
import { secretMatches } from "./webhook.js";

describe("markdownToTelegramHtml", () => {
  it("renders the common Markdown and escapes everything else", () => {
    expect(markdownToTelegramHtml("**bold** and *it* and `a<b>` & ~~s~~")).toBe(
      "<b>bold</b> and <i>it</i> and <code>a&lt;b&gt;</code> &amp; <s>s</s>",
    );
    expect(markdownToTelegramHtml("```ts\nconst a = 1 < 2;\n```")).toBe(
      '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>',
    );
    expect(markdownToTelegramHtml("[site](https://x.test/?a=1&b=2)")).toBe(
      '<a href="https://x.test/?a=1&amp;b=2">site</a>',
    );
    expect(markdownToTelegramHtml("[bad](javascript:alert(1))")).toBe("[bad](javascript:alert(1))");
    expect(markdownToTelegramHtml("snake_case_name stays")).toBe("snake_case_name stays");
  });

  it("never lets model text inject a tag (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const html = markdownToTelegramHtml(text);
        for (const m of html.matchAll(/<\/?([a-z-]+)/g))
          expect(["b", "i", "s", "code", "pre", "a"]).toContain(m[1]);
        expect(escapeHtml(text)).not.toMatch(/<|>/);
      }),
    );
  });
});

describe("webhook secret", () => {
  it("matches only the exact secret", () => {
    expect(secretMatches("s3cret-token-value", "s3cret-token-value")).toBe(true);
    expect(secretMatches("s3cret-token-valuE", "s3cret-token-value")).toBe(false);
    expect(secretMatches("short", "s3cret-token-value")).toBe(false);
    expect(secretMatches(undefined, "s3cret-token-value")).toBe(false);
  });
});
