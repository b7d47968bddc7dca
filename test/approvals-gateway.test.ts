/**
 * A real `palisade gateway run` process with the OpenAI emulator and real dockerd: exec
 * approvals requested by the agent are resolved over a real WS socket (`exec.approval.resolve`)
 * and with `palisade approvals list|allow|deny`; the sandbox lifecycle of the process (orphans
 * of an earlier run removed at start, a session's sandbox destroyed on /new and
 * sessions.delete, all destroyed at stop); and with no backend the model gets the refusal that
 * says what to install, audited.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DockerBackend, SandboxManager } from "../src/sandbox/index.js";
import { listAudit, openStore } from "../src/store/index.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";
import { ensureBusyboxImage, TEST_IMAGE, tempDir } from "./fixtures/sandbox/helpers.js";
import { connect, type RawClient, TEST_TOKEN } from "./helpers/gateway.js";
import { type GatewayProcess, runCliAsync, startGatewayProcess } from "./support/cli.js";
import { calls } from "./tools-sandbox.harness.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

beforeAll(async () => {
  await ensureBusyboxImage(new DockerBackend({ home: "palisade-test-approvals" }).docker);
}, 120_000);

const agentsConfig = (dir: string, sandbox: { mode: "all" | "non-main" }) => ({
  defaults: {
    model: "emu/m1",
    workspace: join(dir, "workspace"),
    sandbox: {
      backend: "docker" as const,
      scope: "session" as const,
      docker: { image: TEST_IMAGE },
      ...sandbox,
    },
  },
});

async function stateDir(emu: OpenAIEmulator, sandbox: { mode: "all" | "non-main" }): Promise<string> {
  const dir = await tempDir("apgw");
  mkdirSync(join(dir, "workspace"), { recursive: true });
  const config = {
    gateway: { auth: { token: TEST_TOKEN } },
    models: {
      providers: {
        emu: { baseUrl: emu.baseUrl, apiKey: "test-key", api: "openai-completions", models: [{ id: "m1" }] },
      },
    },
    agents: agentsConfig(dir, sandbox),
  };
  writeFileSync(join(dir, "palisade.json"), JSON.stringify(config), { mode: 0o600 });
  return dir;
}

/** Starts a gateway process and waits for `/readyz` (the orphan cleanup runs after `listening`). */
async function start(dir: string, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const gw = await startGatewayProcess(dir, ["--port", "0"], env);
  cleanup.push(() => gw.stop("SIGKILL"));
  const readyz = `${gw.url.replace("ws://", "http://")}/readyz`;
  while ((await fetch(readyz)).status !== 200) await new Promise((r) => setTimeout(r, 20));
  return gw;
}

async function operator(gw: GatewayProcess): Promise<RawClient> {
  const { client, res } = await connect(gw, {
    scopes: ["operator.read", "operator.write", "operator.admin", "operator.approvals"],
  });
  expect(res).toMatchObject({ ok: true });
  cleanup.push(async () => client.close());
  return client;
}

/** Every event frame the client received (read without consuming RawClient's queue). */
function eventLog(client: RawClient): Array<{ event: string; payload: Record<string, unknown> }> {
  const log: Array<{ event: string; payload: Record<string, unknown> }> = [];
  client.ws.on("message", (data) => {
    const f = JSON.parse(data.toString()) as {
      type?: string;
      event?: string;
      payload?: Record<string, unknown>;
    };
    if (f.type === "event" && f.event !== undefined) log.push({ event: f.event, payload: f.payload ?? {} });
  });
  return log;
}

/** Polls `log` until an event matches; returns its payload. */
async function waitFor(
  log: ReturnType<typeof eventLog>,
  pred: (e: { event: string; payload: Record<string, unknown> }) => boolean,
  from = 0,
): Promise<Record<string, unknown>> {
  await expect.poll(() => log.slice(from).some(pred), { timeout: 15_000 }).toBe(true);
  return log.slice(from).find(pred)?.payload ?? {};
}

let n = 0;
/** Sends a chat message; `done` resolves with the final (or error) chat event payload. */
async function chat(
  client: RawClient,
  log: ReturnType<typeof eventLog>,
  message: string,
  sessionKey = "agent:main:main",
) {
  const from = log.length;
  const res = await client.call("chat.send", { sessionKey, message, idempotencyKey: `m${n++}` });
  expect(res.ok, JSON.stringify(res.error)).toBe(true);
  const runId = (res.payload as { runId: string }).runId;
  return {
    runId,
    from,
    done: () =>
      waitFor(
        log,
        (e) => e.event === "chat" && e.payload.runId === runId && e.payload.state !== "delta",
        from,
      ),
  };
}

const requested = async (log: ReturnType<typeof eventLog>, from: number) =>
  (await waitFor(log, (e) => e.event === "exec.approval.requested", from)) as unknown as {
    id: string;
    request: { command: string };
  };

/** Tool results of the emulator's last request. */
const lastToolResults = (emu: OpenAIEmulator) =>
  ((emu.requests.at(-1)?.body.messages ?? []) as Array<{ role: string; content: string }>)
    .filter((m) => m.role === "tool")
    .map((m) => String(m.content));

const exec = (command: string) => ({ name: "exec", args: { command } });

describe("gateway process: exec approvals and the sandbox lifecycle", () => {
  it("resolves approvals over WS and with the CLI; sandboxes are cleaned at start, session end and stop", async () => {
    const emu = await startOpenAIEmulator();
    cleanup.push(() => emu.close());
    const dir = await stateDir(emu, { mode: "non-main" });
    const docker = new DockerBackend({ home: dir });
    const live = async () => (await docker.listExisting()).map((i) => i.id);
    // An earlier gateway of this install crashed with a sandbox running.
    const earlier = new SandboxManager({
      agents: agentsConfig(dir, { mode: "non-main" }),
      stateDir: dir,
    });
    const orphan = await earlier.acquire({ agentId: "main", sessionKey: "agent:main:crashed" });
    expect(await live()).toEqual([orphan?.id]);
    const gw = await start(dir);
    expect(await live()).toEqual([]);
    expect(existsSync(join(dir, "sandboxes", String(orphan?.id)))).toBe(false);
    const client = await operator(gw);
    const log = eventLog(client);
    // 1. over the socket: requested -> resolve allow-once -> the command runs on the host
    const ws = join(dir, "workspace");
    for (const f of ["a.txt", "b.txt", "c.txt"]) writeFileSync(join(ws, f), f);
    emu.script(...calls(exec("rm a.txt")));
    const first = await chat(client, log, "rm a");
    const req = await requested(log, first.from);
    expect(req.request.command).toBe("rm a.txt");
    const resolved = await client.call("exec.approval.resolve", { id: req.id, decision: "allow-once" });
    expect(resolved.ok).toBe(true);
    expect(await first.done()).toMatchObject({ state: "final" });
    expect(existsSync(join(ws, "a.txt"))).toBe(false);
    // 2. with the CLI: list shows it; deny keeps the file; allow runs the next one
    const cli = (...args: string[]) => runCliAsync(["--state-dir", dir, "approvals", ...args]);
    emu.script(...calls(exec("rm b.txt")));
    const second = await chat(client, log, "rm b");
    const req2 = await requested(log, second.from);
    const list = await cli("list");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(req2.id);
    expect(list.stdout).toContain("$ rm b.txt");
    expect((await cli("deny", req2.id)).code).toBe(0);
    await second.done();
    expect(lastToolResults(emu).at(-1)).toMatch(/denied; the command did not run/);
    expect(existsSync(join(ws, "b.txt"))).toBe(true);
    emu.script(...calls(exec("rm c.txt")));
    const third = await chat(client, log, "rm c");
    const req3 = await requested(log, third.from);
    const allowed = await cli("allow", req3.id);
    expect(allowed.code, allowed.stderr).toBe(0);
    await third.done();
    expect(existsSync(join(ws, "c.txt"))).toBe(false);
    expect((await cli("list")).stdout).toContain("no pending approvals");
    // 3. a non-main session runs in a docker sandbox; /new and sessions.delete destroy it
    const inSandbox = async (key: string) => {
      emu.script(...calls(exec("id -u; pwd")));
      await (await chat(client, log, "where", key)).done();
      expect(JSON.parse(lastToolResults(emu).at(-1) ?? "{}")).toMatchObject({ stdout: "1000\n/workspace\n" });
    };
    await inSandbox("agent:main:work");
    expect(await live()).toHaveLength(1);
    await (await chat(client, log, "/new", "agent:main:work")).done();
    await expect.poll(live).toEqual([]);
    await inSandbox("agent:main:work");
    expect(await live()).toHaveLength(1);
    const del = await client.call("sessions.delete", { key: "agent:main:work" });
    expect(del.ok).toBe(true);
    await expect.poll(live).toEqual([]);
    await inSandbox("agent:main:other");
    expect(await live()).toHaveLength(1);
    // 4. stop: every sandbox goes
    expect(await gw.stop("SIGTERM")).toBe(0);
    expect(await live()).toEqual([]);
  }, 60_000);

  it("with no backend available the model is told what to install, and the refusal is audited", async () => {
    const emu = await startOpenAIEmulator();
    cleanup.push(() => emu.close());
    const dir = await stateDir(emu, { mode: "all" });
    const gw = await start(dir, { DOCKER_HOST: `unix://${join(dir, "no-docker.sock")}` });
    const client = await operator(gw);
    const log = eventLog(client);
    emu.script(...calls(exec(`touch ${join(dir, "workspace", "host-run")}`)));
    await (await chat(client, log, "go")).done();
    const text = lastToolResults(emu)[0];
    expect(text).toMatch(/no sandbox backend is available/);
    expect(text).toMatch(/apt-get install docker\.io/);
    expect(existsSync(join(dir, "workspace", "host-run"))).toBe(false);
    expect(await gw.stop("SIGTERM")).toBe(0);
    const store = openStore({ file: join(dir, "state.sqlite") });
    try {
      const audit = listAudit(store, { limit: 100 }).filter((r) => r.type === "tool.call");
      expect(audit.at(-1)?.detail).toMatchObject({
        tool: "exec",
        decision: "refused",
        code: "PAL_SANDBOX_UNAVAILABLE",
      });
    } finally {
      store.close();
    }
  }, 30_000);
});
