/**
 * Every built-in tool used by an agent driven by the OpenAI emulator, through the real agent
 * runtime and tool service; denied tools the model asks for anyway are refused and audited;
 * exec approvals resolved over `exec.approval.resolve` semantics and `/approve` from the owner.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema, type PalisadeConfigInput } from "../src/config/index.js";
import { type AttachedAgentRuntime, attachAgentRuntime } from "../src/gateway/process/agent-runtime.js";
import { listAudit, openStore, type Store } from "../src/store/index.js";
import { nonPublicReason } from "../src/tools/index.js";
import { FAST_PROVIDER } from "./emulators/harness.js";
import { type OpenAIEmulator, startOpenAIEmulator } from "./emulators/openai.js";

interface H {
  emu: OpenAIEmulator;
  agents: AttachedAgentRuntime;
  store: Store;
  dir: string;
  ws: string;
}
let h: H | undefined;
let page: Server | undefined;

afterEach(async () => {
  if (h) {
    h.agents.close();
    h.store.close();
    await h.emu.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
  page?.close();
  h = undefined;
  page = undefined;
});

async function setup(tools: PalisadeConfigInput["tools"] = {}, extraAgents: object = {}): Promise<H> {
  const emu = await startOpenAIEmulator();
  const dir = mkdtempSync(join(tmpdir(), "pal-tools-"));
  const ws = join(dir, "workspace");
  mkdirSync(ws, { recursive: true });
  const store = openStore({ file: join(dir, "state.sqlite") });
  const config = configSchema.parse({
    models: {
      providers: {
        emu: { baseUrl: emu.baseUrl, apiKey: "test-key", api: "openai-completions", models: [{ id: "m1" }] },
      },
    },
    agents: { defaults: { model: "emu/m1", workspace: ws, sandbox: { mode: "off" } }, ...extraAgents },
    tools,
  });
  const agents = await attachAgentRuntime({
    config,
    env: {},
    stateDir: dir,
    logger: pino({ level: process.env.DBG ? "warn" : "silent" }),
    store,
    runtime: { provider: FAST_PROVIDER, deltaThrottleMs: 0 },
    tools: {
      resolve: async () => [{ address: "127.0.0.1", family: 4 }],
      addressPolicy: (a) => (a === "127.0.0.1" ? undefined : nonPublicReason(a)),
    },
  });
  h = { emu, agents, store, dir, ws };
  return h;
}

async function run(x: H, message: string, owner = false) {
  const started = x.agents.service.start({ message, idempotencyKey: `t-${Math.random()}`, owner });
  const r = await x.agents.service.wait(started.runId, 20_000);
  return r.outcome;
}

/** The tool results the model saw, in order (from the emulator's request records). */
function toolResults(x: H): string[] {
  const last = x.emu.requests.at(-1)?.body as { messages: Array<{ role: string; content: unknown }> };
  return last.messages.filter((m) => m.role === "tool").map((m) => String(m.content));
}

const toolAudits = (x: H) => listAudit(x.store, { limit: 500 }).filter((r) => r.type === "tool.call");
const offered = (x: H, i = 0) =>
  (((x.emu.requests[i]?.body ?? {}) as { tools?: Array<{ function: { name: string } }> }).tools ?? []).map(
    (t) => t.function.name,
  );

describe("built-in tools through the agent loop", () => {
  it("write, read, edit, apply_patch and exec (safe bin) work end to end and are audited", async () => {
    const x = await setup();
    x.emu.script(
      { toolCalls: [{ id: "c1", name: "write", args: { path: "notes/a.txt", content: "hello world\n" } }] },
      {
        toolCalls: [
          { id: "c2", name: "edit", args: { path: "notes/a.txt", oldText: "world", newText: "there" } },
        ],
      },
      {
        toolCalls: [
          {
            id: "c3",
            name: "apply_patch",
            args: {
              input:
                "*** Begin Patch\n*** Add File: b.txt\n+bee\n*** Update File: notes/a.txt\n@@\n-hello there\n+hi there\n*** End Patch",
            },
          },
        ],
      },
      { toolCalls: [{ id: "c4", name: "read", args: { path: "notes/a.txt" } }] },
      { toolCalls: [{ id: "c5", name: "exec", args: { command: "cat b.txt | wc -l" } }] },
      { toolCalls: [{ id: "c6", name: "session_status", args: {} }] },
      { text: "done" },
    );
    const out = await run(x, "go");
    expect(out?.text).toBe("done");
    expect(offered(x)).toEqual(
      expect.arrayContaining([
        "exec",
        "process",
        "read",
        "write",
        "edit",
        "apply_patch",
        "web_fetch",
        "sessions_list",
      ]),
    );
    expect(offered(x)).not.toContain("message");
    const results = toolResults(x);
    expect(results[3]).toBe("hi there\n");
    expect(JSON.parse(results[4] ?? "{}")).toMatchObject({
      status: "completed",
      exitCode: 0,
      stdout: "1\n",
      approvedBy: "allowlist",
    });
    expect(readFileSync(join(x.ws, "b.txt"), "utf8")).toBe("bee\n");
    const audits = toolAudits(x);
    expect(audits.map((a) => (a.detail as { tool: string }).tool)).toEqual([
      "write",
      "edit",
      "apply_patch",
      "read",
      "exec",
      "session_status",
    ]);
    expect(audits.every((a) => (a.detail as { decision: string }).decision === "allowed")).toBe(true);
    expect(audits[0]?.subject).toBe("agent:main:main");
  });

  it("web_fetch returns readable text; sessions tools see only this agent's sessions", async () => {
    page = createServer((_q, s) =>
      s.end("<html><title>T</title><script>bad()</script><p>Hello&amp;bye</p></html>"),
    );
    await new Promise<void>((r) => page?.listen(0, "127.0.0.1", r));
    const port = (page.address() as { port: number }).port;
    const x = await setup();
    x.emu.script({ text: "first" });
    await run(x, "hello");
    x.emu.script(
      { toolCalls: [{ id: "w", name: "web_fetch", args: { url: `http://pages.example:${port}/` } }] },
      { toolCalls: [{ id: "l", name: "sessions_list", args: {} }] },
      {
        toolCalls: [{ id: "h", name: "sessions_history", args: { sessionKey: "agent:main:main", limit: 5 } }],
      },
      {
        toolCalls: [
          { id: "s", name: "sessions_send", args: { sessionKey: "agent:main:main", message: "x" } },
        ],
      },
      { text: "ok" },
    );
    await run(x, "go");
    const [fetched, list, history, send] = toolResults(x).slice(-4);
    expect(JSON.parse(fetched ?? "{}")).toMatchObject({ title: "T", text: "Hello&bye", status: 200 });
    expect(list).toContain("agent:main:main");
    expect(history).toContain("first");
    expect(send).toMatch(/PAL_TOOL_SESSION_REFUSED|the session this run is in/);
  });
});

describe("tool policy", () => {
  it("a denied tool is not offered, and a call to it anyway is refused and audited", async () => {
    const x = await setup({ deny: ["group:runtime"], profile: "coding" });
    x.emu.script(
      { toolCalls: [{ id: "d1", name: "exec", args: { command: "id" } }] },
      { toolCalls: [{ id: "d2", name: "web_fetch", args: { url: "http://x" } }] },
      { text: "ok" },
    );
    await run(x, "try");
    expect(offered(x)).not.toContain("exec");
    expect(offered(x)).not.toContain("web_fetch");
    const [r1, r2] = toolResults(x);
    expect(r1).toMatch(/not allowed for this agent \(listed in tools.deny\)/);
    expect(r2).toMatch(/not in tools profile "coding"/);
    const refused = toolAudits(x).filter((a) => (a.detail as { decision: string }).decision === "refused");
    expect(refused.map((a) => (a.detail as { tool: string }).tool)).toEqual(["exec", "web_fetch"]);
    expect(refused[0]?.severity).toBe("warn");
  });

  it("unknown tool names in config are errors", () => {
    const r = configSchema.safeParse({ tools: { allow: ["exec", "rm_rf", "group:nope"] } });
    expect(r.success).toBe(false);
    const messages = (r.error?.issues ?? []).map((i) => i.message).join("\n");
    expect(messages).toMatch(/unknown tool "rm_rf"/);
    expect(messages).toMatch(/unknown tool group "group:nope"/);
  });
});

describe("exec approvals end to end", () => {
  it("a command outside the allowlist waits; /approve from the owner lets it run; others cannot approve", async () => {
    const x = await setup();
    writeFileSync(join(x.ws, "f.txt"), "x");
    x.emu.script(
      { toolCalls: [{ id: "e1", name: "exec", args: { command: "rm f.txt" } }] },
      { text: "removed" },
    );
    const started = x.agents.service.start({ message: "rm it", idempotencyKey: "r1" });
    let pending: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      pending = x.agents.tools.approvals.list();
    }
    const id = String(pending[0]?.id);
    expect(pending[0]).toMatchObject({
      request: { command: "rm f.txt", host: "gateway", security: "allowlist", ask: "on-miss" },
    });
    const stranger = x.agents.service.start({
      message: `/approve ${id}`,
      idempotencyKey: "a0",
      sessionKey: "agent:main:other",
    });
    expect((await x.agents.service.wait(stranger.runId, 5000)).outcome?.text).toMatch(/Only the owner/);
    const owner = x.agents.service.start({
      message: `/approve ${id} allow-once`,
      idempotencyKey: "a1",
      sessionKey: "agent:main:ops",
      owner: true,
    });
    expect((await x.agents.service.wait(owner.runId, 5000)).outcome?.text).toMatch(/allow-once/);
    expect((await x.agents.service.wait(started.runId, 10_000)).outcome?.text).toBe("removed");
    expect(JSON.parse(toolResults(x)[0] ?? "{}")).toMatchObject({ exitCode: 0, approvedBy: id });
    const types = listAudit(x.store, { limit: 100 }).map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining(["exec.approval.requested", "exec.approval.resolved", "tool.call"]),
    );
  });

  it("a denied approval is reported to the model and the command does not run", async () => {
    const x = await setup();
    writeFileSync(join(x.ws, "keep.txt"), "x");
    x.emu.script(
      { toolCalls: [{ id: "e1", name: "exec", args: { command: "rm keep.txt" } }] },
      { text: "ok" },
    );
    const started = x.agents.service.start({ message: "rm", idempotencyKey: "r2" });
    let pending: Array<Record<string, unknown>> = [];
    while (pending.length === 0) {
      await new Promise((r) => setTimeout(r, 20));
      pending = x.agents.tools.approvals.list();
    }
    x.agents.tools.approvals.resolve(String(pending[0]?.id), "deny", "test");
    await x.agents.service.wait(started.runId, 10_000);
    expect(toolResults(x)[0]).toMatch(/ended as denied; the command did not run/);
    expect(readFileSync(join(x.ws, "keep.txt"), "utf8")).toBe("x");
  });

  it("elevated exec is refused for agents outside tools.elevated.allowFrom", async () => {
    const x = await setup({ elevated: { enabled: true, allowFrom: ["ops"] } });
    x.emu.script(
      { toolCalls: [{ id: "e", name: "exec", args: { command: "ls", elevated: true } }] },
      { text: "ok" },
    );
    await run(x, "go");
    expect(toolResults(x)[0]).toMatch(
      /elevated \(host\) execution refused for agent main: agent main is not in tools.elevated.allowFrom/,
    );
  });
});
