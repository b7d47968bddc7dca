import { describe, expect, it } from "vitest";
import { changedPaths, classifyPath, planReload } from "./reload-plan.js";

describe("reload plan", () => {
  it.each([
    "channels.telegram.dmPolicy",
    "channels.telegram.allowFrom",
    "tools.profile",
    "tools.deny",
    "logging.level",
    "logging.consoleLevel",
    "agents.defaults.model",
    "agents.list[0].systemPrompt",
    "bindings",
    "session.dmScope",
    "gateway.reload.mode",
  ])("%s is hot", (p) => expect(classifyPath(p)).toBe("hot"));

  it.each([
    "gateway.port",
    "gateway.bind",
    "gateway.customBindHost",
    "gateway.auth.mode",
    "gateway.auth.token",
    "gateway.tls.enabled",
    "gateway.trustedProxies",
    "gateway.controlUi.allowedOrigins",
    "logging.file",
    "logging.redactPatterns",
    "discovery.mdns.mode",
    "someFutureKey",
  ])("%s needs a restart", (p) => expect(classifyPath(p)).toBe("restart"));

  it("splits changed leaves by class, reporting added objects by their leaves", () => {
    const plan = planReload(
      { gateway: { port: 1, bind: "loopback" }, logging: { level: "info" } },
      { gateway: { port: 2, bind: "loopback" }, logging: { level: "debug" }, tools: { deny: ["exec"] } },
    );
    expect(plan).toEqual({
      changed: ["gateway.port", "logging.level", "tools.deny"],
      hot: ["logging.level", "tools.deny"],
      restart: ["gateway.port"],
    });
    expect(changedPaths({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });
});
