/**
 * Real processes: `palisade gateway run` with a config pointing at the OpenAI emulator, then the
 * CLI (`palisade agent`, `palisade chat`, `palisade models`) talking to it.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startOpenAIEmulator } from "./emulators/openai.js";
import { runCliAsync, startGatewayProcess, tempStateDir } from "./support/cli.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

function config(baseUrl: string, apiKey = "${EMU_KEY}") {
  return {
    models: { providers: { emu: { baseUrl, apiKey, api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { model: "emu/m1" } },
  };
}

describe("palisade agent over a real gateway", () => {
  it("returns the model's answer after a tool round trip", async () => {
    const emu = await startOpenAIEmulator({ apiKey: "emu-secret-key" });
    cleanup.push(() => emu.close());
    emu.script(
      { toolCalls: [{ name: "session_status", args: {} }] },
      { text: "The session is agent:main:main." },
    );
    const dir = tempStateDir(config(emu.baseUrl));
    const env = { EMU_KEY: "emu-secret-key" };
    const gw = await startGatewayProcess(dir, ["--port", "0"], env);
    cleanup.push(() => gw.stop("SIGTERM"));
    const r = await runCliAsync(["--state-dir", dir, "agent", "--message", "Which session is this?"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("The session is agent:main:main.");
    expect(r.code).toBe(0);
    expect(emu.requests).toHaveLength(2);
    const sent = (emu.requests[1]?.body.messages ?? []) as Array<{ role: string }>;
    const toolMsg = sent.find((m) => m.role === "tool");
    expect(toolMsg).toBeDefined();

    const json = await runCliAsync(["--state-dir", dir, "agent", "--message", "/status", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ state: "final", stopReason: "command" });

    emu.script({ text: "streamed answer" });
    const chat = await runCliWithInput(["--state-dir", dir, "chat"], "/help\nhello\n");
    expect(chat.stdout).toContain("/reset");
    expect(chat.stdout).toContain("streamed answer");
    expect(chat.code).toBe(0);

    expect(await gw.stop("SIGTERM")).toBe(0);
    const log = readFileSync(join(dir, "logs", "palisade.log"), "utf8");
    expect(log).not.toContain("emu-secret-key");
  });

  it("with no model configured the gateway runs and the user is told what to do", async () => {
    const dir = tempStateDir({});
    const gw = await startGatewayProcess(dir);
    cleanup.push(() => gw.stop("SIGKILL"));
    const r = await runCliAsync(["--state-dir", dir, "agent", "--message", "hi"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No model is configured/);
  });
});

describe("palisade models", () => {
  it("lists configured models and tests one without a gateway", async () => {
    const emu = await startOpenAIEmulator({ apiKey: "file-key" });
    cleanup.push(() => emu.close());
    emu.script({ text: "ok" }, { status: 401, message: "nope" });
    // The key comes from the credentials dir (0600 file) since the config has none.
    const dir = tempStateDir({
      models: {
        providers: { emu: { baseUrl: emu.baseUrl, api: "openai-completions", models: [{ id: "m1" }] } },
      },
      agents: { defaults: { model: "emu/m1" } },
    });
    mkdirSync(join(dir, "credentials"), { recursive: true, mode: 0o700 });
    const keyFile = join(dir, "credentials", "emu.key");
    writeFileSync(keyFile, "file-key\n", { mode: 0o600 });
    const list = await runCliAsync(["--state-dir", dir, "models", "list", "--json"]);
    expect(JSON.parse(list.stdout).agents).toEqual([{ id: "main", default: true, models: ["emu/m1"] }]);
    const ok = await runCliAsync(["--state-dir", dir, "models", "test", "emu/m1", "--json"]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, ref: "emu/m1", text: "ok" });
    expect(emu.requests[0]?.headers.authorization).toBe("Bearer file-key");
    const bad = await runCliAsync(["--state-dir", dir, "models", "test", "emu/m1"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error emu\/m1 .*401/);
    chmodSync(keyFile, 0o644);
    const loose = await runCliAsync(["--state-dir", dir, "models", "list"]);
    expect(loose.code).toBe(2);
    expect(loose.stderr).toMatch(/chmod 600/);
  });
});

async function runCliWithInput(args: string[], input: string) {
  const { spawn } = await import("node:child_process");
  const { CLI } = await import("./support/cli.js");
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
