import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePaths } from "../../core/paths.js";
import { lockFilePath } from "./lock.js";
import { resolveClientTarget } from "./target.js";
import { ensureGatewayToken } from "./token.js";

const paths = () => resolvePaths({ stateDir: mkdtempSync(join(tmpdir(), "pal-tgt-")), env: {} });

describe("client target resolution", () => {
  it("defaults to the local loopback gateway with the generated token", () => {
    const p = paths();
    const { token } = ensureGatewayToken(p.stateDir);
    const t = resolveClientTarget({}, p, {}, {});
    expect(t).toMatchObject({ url: "ws://127.0.0.1:18789", token, source: "local" });
  });

  it("prefers the running gateway's recorded port and the configured token", () => {
    const p = paths();
    writeFileSync(
      lockFilePath(p.stateDir),
      JSON.stringify({ pid: 1, startedAt: "x", port: 40001, host: "0.0.0.0" }),
    );
    const t = resolveClientTarget(
      {},
      p,
      { gateway: { port: 1, auth: { token: "configured-token-value" } } },
      {},
    );
    expect(t).toMatchObject({ url: "ws://127.0.0.1:40001", token: "configured-token-value" });
  });

  it("never sends local secrets to a URL given on the command line or in the env", () => {
    const p = paths();
    ensureGatewayToken(p.stateDir);
    const local = { gateway: { auth: { token: "local-secret-token", password: "local-pw" } } };
    const a = resolveClientTarget({ url: "ws://evil.example:1" }, p, local, {});
    expect(a.token).toBeUndefined();
    expect(a.password).toBeUndefined();
    const b = resolveClientTarget({}, p, local, { PALISADE_GATEWAY_URL: "ws://elsewhere:2" });
    expect(b).toMatchObject({ url: "ws://elsewhere:2", source: "env" });
    expect(b.token).toBeUndefined();
    const c = resolveClientTarget({ url: "ws://x:1", token: "explicit" }, p, local, {});
    expect(c.token).toBe("explicit");
  });

  it("takes credentials from the env", () => {
    const p = paths();
    const t = resolveClientTarget(
      {},
      p,
      {},
      { PALISADE_GATEWAY_TOKEN: "env-token", PALISADE_GATEWAY_PASSWORD: "pw" },
    );
    expect(t).toMatchObject({ token: "env-token", password: "pw" });
  });
});
