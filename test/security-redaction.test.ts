import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateConfigText } from "../src/config/index.js";
import { createLogger, createRedactor } from "../src/logging/index.js";
import { configuredSecrets } from "../src/security/index.js";
import { appendAudit, openStore } from "../src/store/index.js";

describe("redaction across the board", () => {
  it("masks every configured secret in log messages, errors, stacks, RPC-like payloads and audit detail", () => {
    const s = {
      TOKEN: randomBytes(32).toString("hex"),
      BOT: `123456789:${randomBytes(20).toString("base64url")}`,
      KEY: `plainkey${randomBytes(12).toString("hex")}`,
      HOOK: `whsec${randomBytes(10).toString("hex")}`,
    };
    const text = JSON.stringify({
      gateway: { auth: { token: "${TOKEN}" } },
      channels: {
        telegram: { botToken: "${BOT}", webhookSecret: "${HOOK}", webhookUrl: "https://example.com/hook" },
      },
      models: { providers: { p: { baseUrl: "https://api.example.com/v1", apiKey: "${KEY}" } } },
    });
    const v = validateConfigText(text, "/x/palisade.json", s);
    if (!v.ok) throw new Error(v.problems.map((p) => p.text).join("\n"));
    const secrets = configuredSecrets(v.config);
    expect(secrets.sort()).toEqual(Object.values(s).sort());
    const dir = mkdtempSync(join(tmpdir(), "pal-redact-"));
    const file = join(dir, "palisade.log");
    const redact = { secrets, patterns: [], sensitive: "tools" };
    const lines: string[] = [];
    const logger = createLogger({
      level: "trace",
      file,
      console: { write: (l: string) => void lines.push(l), isTTY: false },
      redact,
    });
    for (const value of Object.values(s)) {
      const err = new Error(`upstream said ${value}`);
      logger.info(`message with ${value}`);
      logger.warn({ err }, "error with secret in message and stack");
      logger.info(
        { rpc: { method: "config.get", payload: { raw: `token: "${value}"`, nested: [value] } } },
        "rpc payload",
      );
      logger.info({ tail: { lines: [`{"msg":"${value}"}`] } }, "logs.tail payload");
      logger.info({ url: `https://api.telegram.org/bot${value}/getUpdates` }, "url");
    }
    logger.flush?.();
    const store = openStore({ file: join(dir, "state.sqlite") });
    const redactor = createRedactor(redact);
    for (const value of Object.values(s))
      appendAudit(
        store,
        {
          type: "auth.failed",
          actor: "ip:1.2.3.4",
          subject: `x ${value}`,
          detail: { note: value, list: [value] },
        },
        { redactor },
      );
    const stored = JSON.stringify(store.db.prepare("SELECT * FROM audit_log").all());
    store.close();
    const logged = readFileSync(file, "utf8") + lines.join("");
    expect(logged.length).toBeGreaterThan(0);
    for (const value of Object.values(s)) {
      expect(logged).not.toContain(value);
      expect(stored).not.toContain(value);
    }
  });
});
