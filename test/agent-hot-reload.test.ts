/**
 * A model configured by editing the config file of a running gateway is used without a restart
 * (models/agents are hot-class), and hello-ok advertises the chat events.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectGateway } from "../src/client/index.js";
import { startOpenAIEmulator } from "./emulators/openai.js";
import { runCliAsync, startGatewayProcess, tempStateDir } from "./support/cli.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

describe("hot reload of models on a running gateway", () => {
  it("answers with the newly configured model after the config file changes", async () => {
    const emu = await startOpenAIEmulator({ apiKey: "hot-key-0123456789" });
    cleanup.push(() => emu.close());
    const dir = tempStateDir({});
    const gw = await startGatewayProcess(dir, ["--port", "0"], { HOT_KEY: "hot-key-0123456789" });
    cleanup.push(() => gw.stop("SIGKILL"));
    const token = (await import("node:fs"))
      .readFileSync(join(dir, "credentials", "gateway.token"), "utf8")
      .trim();
    const client = await connectGateway({ url: gw.url, token });
    cleanup.push(async () => client.close());
    expect(client.hello.features?.events).toEqual(expect.arrayContaining(["chat", "agent", "tick"]));
    expect(client.hello.features?.methods).toEqual(expect.arrayContaining(["chat.send", "chat.history"]));

    const before = await runCliAsync(["--state-dir", dir, "agent", "--message", "hi"]);
    expect(before.stdout).toMatch(/No model is configured/);

    const reloaded = new Promise<void>((resolve) => {
      client.onEvent((e) => {
        if (e.event === "config.reloaded") resolve();
      });
    });
    writeFileSync(
      join(dir, "palisade.json"),
      JSON.stringify({
        models: {
          providers: {
            emu: {
              baseUrl: `${emu.origin}/v1`,
              apiKey: "${HOT_KEY}",
              api: "openai-completions",
              models: [{ id: "m1" }],
            },
          },
        },
        agents: { defaults: { model: "emu/m1" } },
      }),
      { mode: 0o600 },
    );
    await reloaded;
    emu.script({ text: "hello from the hot model" });
    const after = await runCliAsync(["--state-dir", dir, "agent", "--message", "hi again"]);
    expect(after.stderr).toBe("");
    expect(after.stdout.trim()).toBe("hello from the hot model");
    expect(emu.requests).toHaveLength(1);
  });
});
