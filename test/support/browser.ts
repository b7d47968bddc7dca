/**
 * Debian's Chromium, headless, driven by playwright-core (no browser download): the flags keep
 * it from reaching for Google's services on this closed network, and every launch gets a fresh
 * profile so no state leaks between tests.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page, type Request } from "playwright-core";
import { ROOT } from "./cli.js";

/** Where Debian installs Chromium (scripts/setup-system.sh installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** Where screenshots go (gitignored). */
export const SHOTS = join(ROOT, "test-results", "ui");

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with a fresh profile and a record of every request and console error. */
export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** URLs of every request any page made (documents, scripts, sockets...). */
  readonly requests: string[];
  /** Console errors and page errors (CSP violations show up here). */
  readonly errors: string[];
  /** Saves a screenshot as test-results/ui/<name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Launches Chromium; throws a clear error when it is not installed. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/setup-system.sh (apt-get install chromium)`);
  const profile = mkdtempSync(join(tmpdir(), "pal-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  const requests: string[] = [];
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    p.on("pageerror", (e) => errors.push(e.message));
  };
  context.on("request", (r: Request) => requests.push(r.url()));
  context.on("page", watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  page.on("websocket", (ws) => requests.push(ws.url()));
  mkdirSync(SHOTS, { recursive: true });
  return {
    context,
    page,
    requests,
    errors,
    shot: async (name) => {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
