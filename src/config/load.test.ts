import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePaths } from "../core/paths.js";
import { configHash, loadConfig } from "./index.js";

const tmp = () => mkdtempSync(join(tmpdir(), "pal-load-"));

describe("loadConfig", () => {
  it("treats a missing default file as an empty config with defaults", async () => {
    const state = tmp();
    const loaded = await loadConfig({
      paths: resolvePaths({ stateDir: state, env: {} }),
      env: {},
      cwd: state,
    });
    expect(loaded.exists).toBe(false);
    expect(loaded.config.gateway.port).toBe(18789);
    expect(loaded.hash).toBe(configHash(""));
    expect(Object.isFrozen(loaded.config.gateway)).toBe(true);
  });

  it("fails with PAL_CONFIG_NOT_FOUND when an explicitly named file is missing", async () => {
    const state = tmp();
    const paths = resolvePaths({ stateDir: state, config: join(state, "nope.json"), env: {} });
    await expect(loadConfig({ paths, env: {}, cwd: state })).rejects.toMatchObject({
      code: "PAL_CONFIG_NOT_FOUND",
    });
  });

  it("substitutes from .env files and returns the merged env", async () => {
    const state = tmp();
    const cwd = tmp();
    writeFileSync(join(state, ".env"), "TOKEN=from-state\nOTHER=state\n");
    writeFileSync(join(cwd, ".env"), "TOKEN=from-cwd\n");
    writeFileSync(join(state, "palisade.json"), '{ gateway: { auth: { token: "${TOKEN}" } } }');
    const loaded = await loadConfig({ paths: resolvePaths({ stateDir: state, env: {} }), env: {}, cwd });
    expect(loaded.config.gateway.auth?.token).toBe("from-cwd");
    expect(loaded.env).toMatchObject({ TOKEN: "from-cwd", OTHER: "state" });
    const envWins = await loadConfig({
      paths: resolvePaths({ stateDir: state, env: {} }),
      env: { TOKEN: "env" },
      cwd,
    });
    expect(envWins.config.gateway.auth?.token).toBe("env");
  });

  it("throws a ConfigError listing every problem", async () => {
    const state = tmp();
    const file = join(state, "palisade.json");
    writeFileSync(file, '{ gateway: { port: "x", bnid: "lan" } }');
    const err = await loadConfig({
      paths: resolvePaths({ stateDir: state, env: {} }),
      env: {},
      cwd: state,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "ConfigError", code: "PAL_CONFIG_INVALID", exitCode: 2 });
    const problems = (err as { details: { problems: { text: string }[] } }).details.problems;
    expect(problems.map((p) => p.text)).toEqual([
      expect.stringMatching(/palisade\.json:1:14 gateway\.port: expected a number/),
      expect.stringMatching(/palisade\.json:1:25 gateway\.bnid: unknown key "bnid"; did you mean "bind"\?/),
    ]);
  });
});
