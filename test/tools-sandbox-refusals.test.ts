/**
 * Where exec may not run, through the agent loop: with no sandbox backend (an injected
 * availability probe simulating a bare host) sandboxed tools are refused with what to install
 * and audited, never run on the host; elevated exec reaches the host backend only through
 * tools.elevated and an approval; `tools.exec.host` gateway/node.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BwrapBackend, DockerBackend, SandboxManager } from "../src/sandbox/index.js";
import { calls, parsed, type SandboxAgents, startSandboxAgents } from "./tools-sandbox.harness.js";

let x: SandboxAgents | undefined;
afterEach(async () => {
  await x?.close();
  x = undefined;
});

const sandboxed = (dir: string, extra: object = {}) => ({
  defaults: {
    model: "emu/m1",
    workspace: join(dir, "workspace"),
    sandbox: { mode: "all" as const, scope: "session" as const, ...extra },
  },
});

/** A manager over the real backends whose probe says neither can run here. */
const bareHost = (dir: string) =>
  new SandboxManager({
    agents: sandboxed(dir),
    stateDir: dir,
    backends: [new DockerBackend({ home: dir }), new BwrapBackend()],
    probe: async (b) => ({
      ok: false,
      reason: `${b.name} is not installed`,
      fix: b.name === "docker" ? "apt-get install docker.io" : "apt-get install bubblewrap",
    }),
  });

const exec = (command: string, extra: object = {}) => ({ name: "exec", args: { command, ...extra } });

describe("no sandbox backend", () => {
  it("exec and fs tools of a sandboxed session are refused with what to install, audited, never run on the host", async () => {
    x = await startSandboxAgents((dir) => sandboxed(dir), {}, { sandboxes: bareHost });
    const marker = join(x.dir, "workspace", "ran-on-host");
    x.emu.script(
      ...calls(exec(`echo > ${marker}; touch ran-on-host`), {
        name: "write",
        args: { path: "a.txt", content: "x" },
      }),
    );
    await x.run("go");
    const [e, w] = x.results();
    for (const text of [e, w]) {
      expect(text).toMatch(/no sandbox backend is available/);
      expect(text).toMatch(/apt-get install docker\.io; or apt-get install bubblewrap/);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(x.dir, "workspace", "a.txt"))).toBe(false);
    const audits = x.audits().map((a) => a.detail as Record<string, unknown>);
    expect(audits).toEqual([
      expect.objectContaining({ tool: "exec", decision: "refused", code: "PAL_SANDBOX_UNAVAILABLE" }),
      expect.objectContaining({ tool: "write", decision: "refused", code: "PAL_SANDBOX_UNAVAILABLE" }),
    ]);
  });

  it("elevated exec goes to the host only after tools.elevated and an approval", async () => {
    x = await startSandboxAgents(
      (dir) => sandboxed(dir),
      { elevated: { enabled: true, allowFrom: ["main"] } },
      {
        sandboxes: bareHost,
      },
    );
    const h = x;
    h.emu.script(...calls(exec("pwd; id -u", { elevated: true })));
    const done = h.run("go");
    await expect.poll(() => h.agents.tools.approvals.list().length).toBe(1);
    const pending = h.agents.tools.approvals.list()[0] as { id: string; request: Record<string, unknown> };
    expect(pending.request).toMatchObject({ elevated: true, host: "gateway", command: "pwd; id -u" });
    h.agents.tools.approvals.resolve(pending.id, "allow-once", "test");
    await done;
    expect(parsed(h.results()[0])).toMatchObject({
      stdout: `${join(h.dir, "workspace")}\n${process.getuid?.()}\n`,
      approvedBy: pending.id,
    });
    // denied: nothing runs
    h.emu.script(...calls(exec("touch elevated-denied", { elevated: true })));
    const second = h.run("again");
    await expect.poll(() => h.agents.tools.approvals.list().length).toBe(1);
    h.agents.tools.approvals.resolve(String(h.agents.tools.approvals.list()[0]?.id), "deny", "test");
    await second;
    expect(h.results()[0]).toMatch(/denied; the command did not run/);
    expect(existsSync(join(h.dir, "workspace", "elevated-denied"))).toBe(false);
    const last = h.audits().at(-1)?.detail;
    expect(last).toMatchObject({ tool: "exec", decision: "refused", code: "PAL_TOOL_APPROVAL_DENIED" });
  });
});

describe("mode non-main with session.mainKey", () => {
  it("the configured main session runs unsandboxed; agent:main:main is then just another session", async () => {
    x = await startSandboxAgents(
      (dir) => sandboxed(dir, { mode: "non-main" }),
      {},
      {
        sandboxes: (dir) =>
          new SandboxManager({
            agents: sandboxed(dir, { mode: "non-main" }),
            stateDir: dir,
            backends: [new BwrapBackend()],
            probe: async () => ({
              ok: false,
              reason: "bwrap is not installed",
              fix: "apt-get install bubblewrap",
            }),
          }),
        session: { mainKey: "home" },
      },
    );
    x.emu.script(...calls(exec("pwd")));
    await x.run("go", { sessionKey: "agent:main:home" });
    expect(parsed(x.results()[0])).toMatchObject({ stdout: `${join(x.dir, "workspace")}\n` });
    x.emu.script(...calls(exec("pwd")));
    await x.run("go", { sessionKey: "agent:main:main" });
    expect(x.results()[0]).toMatch(/no sandbox backend is available.*apt-get install bubblewrap/);
  });
});

describe("tools.exec.host", () => {
  it("gateway: a sandboxed session's exec runs on the host through the allowlist and approvals", async () => {
    x = await startSandboxAgents(
      (dir) => sandboxed(dir),
      { exec: { host: "gateway" } },
      { sandboxes: bareHost },
    );
    const h = x;
    h.emu.script(...calls(exec("pwd"), exec("touch made-by-exec")));
    const done = h.run("go");
    await expect.poll(() => h.agents.tools.approvals.list().length).toBe(1);
    const pending = h.agents.tools.approvals.list()[0] as { id: string; request: Record<string, unknown> };
    expect(pending.request).toMatchObject({ host: "gateway", command: "touch made-by-exec" });
    h.agents.tools.approvals.resolve(pending.id, "deny", "test");
    await done;
    const [pwd, touch] = h.results();
    expect(parsed(pwd)).toMatchObject({ stdout: `${join(h.dir, "workspace")}\n`, approvedBy: "allowlist" });
    expect(touch).toMatch(/denied/);
    expect(existsSync(join(h.dir, "workspace", "made-by-exec"))).toBe(false);
  });

  it("a command still running after tools.exec.backgroundMs moves to the background", async () => {
    x = await startSandboxAgents(
      (dir) => sandboxed(dir),
      { exec: { host: "gateway", security: "full", backgroundMs: 300 } },
      { sandboxes: bareHost },
    );
    x.emu.script(...calls(exec("echo early; sleep 30; echo late"), exec("echo quick")));
    await x.run("go");
    const [slow, quick] = x.results().map(parsed);
    expect(slow).toMatchObject({ status: "running", tail: "early\n", sessionId: expect.any(String) });
    expect(quick).toMatchObject({ status: "completed", stdout: "quick\n" });
  });

  it("node: exec is refused with the reason", async () => {
    x = await startSandboxAgents(
      (dir) => sandboxed(dir),
      { exec: { host: "node" } },
      { sandboxes: bareHost },
    );
    x.emu.script(...calls(exec("pwd")));
    await x.run("go");
    expect(x.results()[0]).toMatch(/tools\.exec\.host is "node"/);
    expect(x.audits().at(-1)?.detail).toMatchObject({ decision: "refused", code: "PAL_TOOL_EXEC_REFUSED" });
  });
});
