import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, createRotatingFile, REDACTED } from "./index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pal-log-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const capture = (isTTY = false) => {
  const lines: string[] = [];
  return { lines, sink: { write: (l: string) => lines.push(l), isTTY } };
};
const mode = (p: string) => statSync(p).mode & 0o777;

describe("createLogger", () => {
  it("writes JSON lines at info by default and redacts messages, fields and errors", () => {
    const { lines, sink } = capture();
    const log = createLogger({ console: sink });
    log.debug("hidden");
    log.info(
      { req: { headers: { authorization: "Bearer abcdefghijkl" } } },
      "calling sk-abcdefghijklmnopqrstu",
    );
    log.error(new Error("bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1 refused"));
    expect(lines).toHaveLength(2);
    const [a, b] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toMatchObject({
      level: 30,
      msg: `calling ${REDACTED}`,
      req: { headers: { authorization: REDACTED } },
    });
    expect(a).not.toHaveProperty("hostname");
    expect(JSON.stringify(b)).not.toContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1");
    expect(String((b?.err as { stack?: string } | undefined)?.stack)).toContain(`bot ${REDACTED} refused`);
  });

  it("reports bad redactPatterns as warnings and keeps running", () => {
    const { lines, sink } = capture();
    const log = createLogger({ console: sink, redact: { patterns: ["(", "internal-[0-9]+"] } });
    log.info("id internal-42");
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: 40,
      msg: expect.stringContaining(
        "logging.redactPatterns[0] is ignored: it is not a valid regular expression",
      ),
    });
    expect(JSON.parse(lines[1] ?? "").msg).toBe(`id ${REDACTED}`);
  });

  it("turns pattern redaction off with redactSensitive off, but still masks listed secrets", () => {
    const { lines, sink } = capture();
    createLogger({ console: sink, redact: { sensitive: "off", secrets: ["gateway-token-1"] } }).info(
      "token=abc gateway-token-1",
    );
    expect(JSON.parse(lines[0] ?? "").msg).toBe(`token=abc ${REDACTED}`);
  });

  it("prints pretty lines on a TTY (or when forced) and JSON otherwise", () => {
    const tty = capture(true);
    createLogger({ console: tty.sink }).info({ token: "abc" }, "hello");
    expect(tty.lines[0]).toMatch(/INFO/);
    expect(tty.lines[0]).toContain("hello");
    expect(tty.lines[0]).not.toContain('"abc"');
    const forced = capture(false);
    createLogger({ console: forced.sink, pretty: true }).info("hi sk-abcdefghijklmnopqrstu");
    expect(forced.lines[0]).toMatch(/INFO.*hi \[REDACTED\]/);
    const plain = capture(true);
    createLogger({ console: plain.sink, pretty: false }).info("x");
    expect(() => JSON.parse(plain.lines[0] ?? "")).not.toThrow();
  });

  it("writes the file 0600 in a 0700 dir, at its own level, and the console at consoleLevel", () => {
    const file = join(dir, "logs", "palisade.log");
    const { lines, sink } = capture();
    const log = createLogger({ console: sink, consoleLevel: "warn", level: "debug", file });
    log.debug({ password: "pw123456" }, "detail");
    log.warn("careful");
    log.flush();
    expect(mode(join(dir, "logs"))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    const fileLines = readFileSync(file, "utf8").trim().split("\n");
    expect(fileLines.map((l) => JSON.parse(l).msg)).toEqual(["detail", "careful"]);
    expect(fileLines[0]).toContain(`"password":"${REDACTED}"`);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["careful"]);
  });

  it("fails with PAL_LOG_FILE when the log path is unusable", () => {
    expect(() => createLogger({ console: false, file: dir })).toThrow(
      expect.objectContaining({ code: "PAL_LOG_FILE" }),
    );
  });
});

describe("createRotatingFile", () => {
  it("rotates by size, keeps maxFiles files, never splits a line and keeps every file 0600", () => {
    const file = join(dir, "app.log");
    const out = createRotatingFile(file, { maxBytes: 1024, maxFiles: 3 });
    const line = (i: number) => `${JSON.stringify({ i, pad: "x".repeat(90) })}\n`;
    for (let i = 0; i < 60; i++) out.write(line(i));
    out.flushSync();
    out.end();
    expect(readdirSync(dir).sort()).toEqual(["app.log", "app.log.1", "app.log.2"]);
    const read = (p: string) => readFileSync(join(dir, p), "utf8");
    for (const name of ["app.log", "app.log.1", "app.log.2"]) {
      expect(mode(join(dir, name))).toBe(0o600);
      expect(Buffer.byteLength(read(name))).toBeLessThanOrEqual(1024);
      for (const l of read(name).trim().split("\n")) expect(() => JSON.parse(l)).not.toThrow();
    }
    const last = read("app.log").trim().split("\n").at(-1) ?? "";
    expect(JSON.parse(last).i).toBe(59);
    const newestRotated = JSON.parse(read("app.log.1").trim().split("\n").at(-1) ?? "").i as number;
    const firstActive = JSON.parse(read("app.log").split("\n")[0] ?? "").i as number;
    expect(firstActive).toBe(newestRotated + 1);
  });

  it("continues an existing file's size and tightens its mode", () => {
    const file = join(dir, "app.log");
    const first = createRotatingFile(file, { maxBytes: 1024, maxFiles: 2 });
    first.write(`${"a".repeat(1000)}\n`);
    first.end();
    chmodSync(file, 0o644);
    const again = createRotatingFile(file, { maxBytes: 1024, maxFiles: 2 });
    again.write("b\n".repeat(20));
    again.flushSync();
    again.end();
    expect(readFileSync(`${file}.1`, "utf8")).toMatch(/^a+\n$/);
    expect(mode(`${file}.1`)).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe("b\n".repeat(20));
  });

  it("refuses unbounded or silly limits", () => {
    expect(() => createRotatingFile(join(dir, "x.log"), { maxBytes: 10 })).toThrow(
      expect.objectContaining({ code: "PAL_LOG_FILE" }),
    );
    expect(() => createRotatingFile(join(dir, "x.log"), { maxFiles: 0 })).toThrow(
      expect.objectContaining({ code: "PAL_LOG_FILE" }),
    );
  });
});
