/**
 * Serves the built Control UI (dist/ui) at `/` or `gateway.controlUi.basePath`. Every file is
 * read into memory once at start and looked up by exact path, so no request path ever reaches
 * the file system (no traversal, no symlink tricks, no surprise files). Hashed assets are
 * immutable with a year of cache; index.html is revalidated every time. UI responses carry a
 * strict CSP: scripts, styles and sockets from this origin only, no inline script, Trusted Types
 * enforced so an accidental `innerHTML` with data throws instead of rendering.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The Content-Security-Policy of every Control UI response. */
export const CONTROL_UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // 'self' covers ws:/wss: to this host and port (CSP Level 3).
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  // Forms are handled in script; a form that would submit anyway (script failed) goes nowhere,
  // so a typed token can never end up in a URL.
  "form-action 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

/** File types the UI may contain; anything else in the folder is not served. */
const MIME: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Bounds of the folder read at start (default UI is ~20 files, ~100 KiB). */
const MAX_FILES = 500;
const MAX_TOTAL_BYTES = 20 * 1024 * 1024;
/** Vite's hashed output names, e.g. `assets/index-B1x2y3z4.js`. */
const HASHED = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly immutable: boolean;
}

/** A loaded UI: exact relative path (`index.html`, `assets/x.js`) to file. */
export type UiFiles = ReadonlyMap<string, StaticFile>;

/** Options of {@link createControlUi}. */
export interface ControlUiOptions {
  /** `gateway.controlUi.enabled` (default true). */
  readonly enabled?: boolean | undefined;
  /** `gateway.controlUi.basePath` (default `/`). */
  readonly basePath?: string | undefined;
  /** Folder of the built UI; default dist/ui next to the running build. */
  readonly root?: string | undefined;
}

/** Normalizes a base path to `""` (root) or `/seg/seg` without a trailing slash. */
export function normalizeBasePath(raw: string | undefined): string {
  const segs = (raw ?? "").split("/").filter((s) => s !== "");
  for (const s of segs)
    if (s === "." || s === ".." || !/^[A-Za-z0-9._~-]+$/.test(s))
      throw new Error(`gateway.controlUi.basePath has an invalid segment: ${JSON.stringify(s)}`);
  return segs.length === 0 ? "" : `/${segs.join("/")}`;
}

/** dist/ui beside the bundled CLI, else the repo's dist/ui when running from src (tests). */
export function defaultUiRoot(): string | undefined {
  const candidates = [new URL("./ui/", import.meta.url), new URL("../../dist/ui/", import.meta.url)];
  for (const c of candidates) {
    if (c.protocol !== "file:") continue;
    const dir = fileURLToPath(c);
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return undefined;
}

/** Reads every servable file under `root` (no symlinks, bounded). */
export function loadUiFiles(root: string): UiFiles {
  const files = new Map<string, StaticFile>();
  let total = 0;
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const relPath = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full, relPath);
      if (!st.isFile()) continue;
      const type = MIME[extname(name).toLowerCase()];
      if (type === undefined) continue;
      total += st.size;
      if (files.size >= MAX_FILES || total > MAX_TOTAL_BYTES)
        throw new Error(`the Control UI folder ${root} is larger than ${MAX_FILES} files or 20 MiB`);
      const body = readFileSync(full);
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
      files.set(relPath, { body, type, etag, immutable: HASHED.test(relPath) });
    }
  };
  walk(root, "");
  return files;
}

/** Serves the UI for one request; returns false when the path is not the UI's. */
export type ControlUiHandler = (req: IncomingMessage, res: ServerResponse, path: string) => boolean;

/**
 * Builds the handler. Disabled, or no build found: the handler serves nothing (the caller
 * answers 404), and `available` says why for the log.
 */
export function createControlUi(opts: ControlUiOptions): { handler: ControlUiHandler; available: string } {
  if (opts.enabled === false) return { handler: () => false, available: "disabled by config" };
  const base = normalizeBasePath(opts.basePath);
  const root = opts.root ?? defaultUiRoot();
  const files = root === undefined ? undefined : loadUiFiles(root);
  if (files === undefined || !files.has("index.html"))
    return { handler: () => false, available: "not built (run npm run build)" };
  const handler: ControlUiHandler = (req, res, path) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (base !== "" && path === base) {
      res.statusCode = 308;
      res.setHeader("Location", `${base}/`);
      res.end();
      return true;
    }
    if (!path.startsWith(`${base}/`)) return false;
    const rel = path.slice(base.length + 1);
    const file = files.get(rel === "" ? "index.html" : rel);
    if (file === undefined) return false;
    res.setHeader("Content-Security-Policy", CONTROL_UI_CSP);
    res.setHeader("Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    res.setHeader("ETag", file.etag);
    res.setHeader("Content-Type", file.type);
    if (req.headers["if-none-match"] === file.etag) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    res.statusCode = 200;
    res.setHeader("Content-Length", file.body.length);
    res.end(req.method === "HEAD" ? undefined : file.body);
    return true;
  };
  return { handler, available: `serving ${files.size} files at ${base}/` };
}
