/**
 * The Control UI's static files over a real socket: strict CSP, cache headers, MIME types,
 * revalidation, basePath, `controlUi.enabled: false`, and no way out of the UI folder.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONTROL_UI_CSP, normalizeBasePath } from "../src/gateway/http-static.js";
import type { GatewayServer } from "../src/gateway/index.js";
import { httpRequest, startTestGateway } from "./helpers/gateway.js";

const INDEX = "<!doctype html><title>ui</title>";
const JS = "console.log('ui')";

function uiFolder(): string {
  const root = mkdtempSync(join(tmpdir(), "pal-ui-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "assets", "index-AbCdEf12.js"), JS);
  writeFileSync(join(root, "assets", "index-AbCdEf12.css"), "body{}");
  writeFileSync(join(root, "assets", "index-AbCdEf12.js.map"), "{}");
  writeFileSync(join(root, "notes.md"), "secret notes");
  const outside = mkdtempSync(join(tmpdir(), "pal-ui-outside-"));
  writeFileSync(join(outside, "secret.txt"), "outside");
  symlinkSync(join(outside, "secret.txt"), join(root, "linked.txt"));
  return root;
}

const servers: GatewayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(controlUi?: Record<string, unknown>) {
  const gw = await startTestGateway({
    controlUiRoot: uiFolder(),
    ...(controlUi ? { config: { controlUi } } : {}),
  });
  servers.push(gw);
  const get = (path: string, headers: Record<string, string> = {}) =>
    httpRequest(gw.port, { path, headers: { Host: `127.0.0.1:${gw.port}`, ...headers } });
  return { gw, get };
}

describe("Control UI static files", () => {
  it("serves index.html uncached and hashed assets immutable, with a strict CSP and exact MIME types", async () => {
    const { get } = await start();
    const index = await get("/");
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.headers["content-security-policy"]).toBe(CONTROL_UI_CSP);
    expect(index.headers["x-content-type-options"]).toBe("nosniff");
    for (const d of ["script-src 'self'", "connect-src 'self'", "style-src 'self'", "img-src 'self' data:"])
      expect(CONTROL_UI_CSP).toContain(d);
    expect(CONTROL_UI_CSP).not.toMatch(/unsafe-(inline|eval)/);
    expect((await get("/index.html")).body).toBe(INDEX);

    const js = await get("/assets/index-AbCdEf12.js");
    expect(js.body).toBe(JS);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect((await get("/assets/index-AbCdEf12.css")).headers["content-type"]).toBe("text/css; charset=utf-8");

    const again = await get("/", { "If-None-Match": String(index.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
  });

  it("never serves anything outside the built files: traversal, encoded dots, symlinks, other types", async () => {
    const { get } = await start();
    for (const path of [
      "/../package.json",
      "/assets/../../package.json",
      "/%2e%2e/package.json",
      "/assets/%2e%2e/index.html",
      "/assets//index-AbCdEf12.js",
      "/assets/index-AbCdEf12.js.map",
      "/notes.md",
      "/linked.txt",
      "/assets",
      "/assets/",
      "//etc/passwd",
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain("outside");
    }
    const post = await httpRequest((await start()).gw.port, { method: "POST", path: "/" });
    expect(post.status).not.toBe(200);
  });

  it("mounts under basePath and redirects the bare path", async () => {
    const { get } = await start({ basePath: "/control/" });
    expect((await get("/")).status).toBe(404);
    const bare = await get("/control");
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe("/control/");
    expect((await get("/control/")).body).toBe(INDEX);
    expect((await get("/control/assets/index-AbCdEf12.js")).body).toBe(JS);
    expect(() => normalizeBasePath("/a/../b")).toThrow(/invalid segment/);
  });

  it("serves nothing when gateway.controlUi.enabled is false; health still answers", async () => {
    const { get } = await start({ enabled: false });
    expect((await get("/")).status).toBe(404);
    expect((await get("/assets/index-AbCdEf12.js")).status).toBe(404);
    expect((await get("/healthz")).status).toBe(200);
  });

  it("keeps the Host check in front of the UI (DNS rebinding)", async () => {
    const { get } = await start();
    const refused = await get("/", { Host: "evil.example" });
    expect(refused.status).toBe(421);
    expect(refused.body).not.toContain(INDEX);
  });
});
