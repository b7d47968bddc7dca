/**
 * The agent's tools inside real sandboxes: an agent driven by the OpenAI emulator runs `exec`
 * (and the fs tools) in docker and in bwrap, under sandbox mode all and non-main, with scope
 * session, agent and shared; escape attempts from the agent's exec fail; `process` manages a
 * background run end to end. One runtime per backend with one agent per mode/scope, so each
 * backend creates only a handful of sandboxes.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerBackend } from "../src/sandbox/index.js";
import { ensureBusyboxImage, hostListener, hostSecret, TEST_IMAGE } from "./fixtures/sandbox/helpers.js";
import { calls, parsed, type SandboxAgents, startSandboxAgents } from "./tools-sandbox.harness.js";

beforeAll(async () => {
  const docker = new DockerBackend({ home: "palisade-test-tools-sandbox" });
  const a = await docker.available();
  if (!a.ok) throw new Error(`dockerd is not running (${a.reason}); run scripts/setup-system.sh`);
  await ensureBusyboxImage(docker.docker);
}, 120_000);

const exec = (command: string, extra: object = {}) => ({ name: "exec", args: { command, ...extra } });

describe.each(["docker", "bwrap"] as const)("%s: the agent's tools in a sandbox", (backend) => {
  let x: SandboxAgents;
  const ws = (name: string) => join(x.dir, name);
  const sandboxesOf = (agentId: string) =>
    x.agents.tools.sandboxes.list().filter((s) => s.agentId === agentId);

  beforeAll(async () => {
    x = await startSandboxAgents(
      (dir) => ({
        defaults: {
          model: "emu/m1",
          workspace: join(dir, "workspace"),
          sandbox: {
            mode: "all",
            backend,
            scope: "session",
            workspaceAccess: "none",
            docker: { image: TEST_IMAGE, memory: "128m", pidsLimit: 64 },
          },
        },
        list: [
          { id: "main", default: true },
          { id: "nm", workspace: join(dir, "ws-nm"), sandbox: { mode: "non-main" } },
          { id: "ag", workspace: join(dir, "ws-ag"), sandbox: { scope: "agent", workspaceAccess: "rw" } },
          { id: "sh1", workspace: join(dir, "ws-sh"), sandbox: { scope: "shared", workspaceAccess: "ro" } },
          { id: "sh2", workspace: join(dir, "ws-sh"), sandbox: { scope: "shared", workspaceAccess: "ro" } },
        ],
      }),
      { exec: { maxOutputBytes: 2_000 } },
    );
  }, 60_000);
  afterAll(async () => {
    await x?.close();
  });

  it("mode all, scope session: each session runs exec in its own sandbox", async () => {
    x.emu.script(...calls(exec("echo one > mark; id -u; pwd")));
    await x.run("go", { sessionKey: "agent:main:s1" });
    expect(parsed(x.results()[0])).toMatchObject({
      status: "completed",
      stdout: "1000\n/workspace\n",
      approvedBy: "policy",
    });
    x.emu.script(...calls(exec("cat mark 2>&1; ls -A")));
    await x.run("go", { sessionKey: "agent:main:s2" });
    const r = parsed(x.results()[0]);
    expect(String(r.stdout)).toMatch(/No such file/);
    const mine = sandboxesOf("main");
    expect(mine.map((s) => s.scopeKey).sort()).toEqual([
      "session:main:agent:main:s1",
      "session:main:agent:main:s2",
    ]);
    expect(mine.every((s) => s.backend === backend)).toBe(true);
    // nothing reached the agent workspace on the host (workspaceAccess none: private dirs)
    expect(() => readFileSync(join(ws("workspace"), "mark"))).toThrow();
  });

  it("fs tools work on the sandbox's private workspace, shared with exec", async () => {
    x.emu.script(
      ...calls(
        { name: "write", args: { path: "notes/a.txt", content: "from write\n" } },
        exec("cat notes/a.txt; echo from-exec >> notes/a.txt; ln -s /etc/passwd notes/link"),
        { name: "read", args: { path: "/workspace/notes/a.txt" } },
        { name: "read", args: { path: "notes/link" } },
      ),
    );
    await x.run("go", { sessionKey: "agent:main:s1" });
    const [, ex, read, link] = x.results();
    expect(parsed(ex)).toMatchObject({ exitCode: 0, stdout: "from write\n" });
    expect(read).toBe("from write\nfrom-exec\n");
    expect(link).toMatch(/PAL_TOOL_PATH_REFUSED|symlink|refused/i);
    const refused = x.audits().filter((a) => (a.detail as { decision?: string }).decision === "refused");
    expect(refused.at(-1)?.detail).toMatchObject({ tool: "read", code: "PAL_TOOL_PATH_REFUSED" });
  });

  it("escape attempts from the agent's exec fail with clear output", async () => {
    const listener = await hostListener();
    const secret = await hostSecret("/root");
    const box = sandboxesOf("main").find((s) => s.scopeKey.endsWith(":s1"));
    const privateDir = join(x.dir, "sandboxes", String(box?.id));
    try {
      // A symlink planted in the private workspace from the host side, pointing at a host file.
      symlinkSync(secret.path, join(privateDir, "planted"));
      x.emu.script(
        ...calls(
          exec(
            `busybox nc -w 2 127.0.0.1 ${listener.port} </dev/null && echo NET-OPEN; wc -l < /proc/net/route`,
          ),
          exec("for p in /x /etc/x /usr/x /bin/x; do touch $p || echo REFUSED $p; done"),
          exec(`cat ${secret.path}`),
          exec(`cat planted; ln -s / root; cat root${secret.path}`),
          { name: "read", args: { path: "planted" } },
        ),
      );
      await x.run("go", { sessionKey: "agent:main:s1" });
      const [net, root, read, link, fsRead] = x.results().map(parsed);
      expect(String(net?.stdout)).not.toContain("NET-OPEN");
      expect(listener.connections()).toBe(0);
      expect(String(root?.stdout)).toBe("REFUSED /x\nREFUSED /etc/x\nREFUSED /usr/x\nREFUSED /bin/x\n");
      expect(String(root?.stderr)).toMatch(/Read-only file system|Permission denied/);
      expect(read).toMatchObject({ status: "failed" });
      expect(String(read?.stderr)).toMatch(/No such file|Permission denied/);
      expect(JSON.stringify(link)).not.toContain(secret.content);
      expect(link?.exitCode).not.toBe(0);
      expect(String(fsRead?.error)).toMatch(/refused|symlink/i);
      // every call is in the audit log; the failed escapes with their exit codes
      const execs = x.audits().filter((a) => (a.detail as { tool: string }).tool === "exec");
      expect(execs.slice(-4).map((a) => (a.detail as { exitCode?: number }).exitCode)).toEqual([
        expect.any(Number),
        0,
        1,
        expect.any(Number),
      ]);
    } finally {
      await listener.close();
      await secret.remove();
    }
  });

  it("runaway output is cut at tools.exec.maxOutputBytes (2000) and a long run is killed at its timeout", async () => {
    x.emu.script(...calls(exec("busybox yes"), exec("echo before; sleep 60; echo after", { timeout: 1 })));
    await x.run("go", { sessionKey: "agent:main:s1" });
    const [yes, long] = x.results().map(parsed);
    expect(yes?.truncated).toBe(true);
    expect(String(yes?.stdout).length).toBe(2_000);
    expect(long).toMatchObject({ status: "timeout", stdout: "before\n", signal: "SIGKILL" });
  });

  it("mode non-main: the main session runs on the host, another session in a sandbox", async () => {
    x.emu.script(...calls(exec("pwd")));
    await x.run("go", { sessionKey: "agent:nm:main" });
    expect(parsed(x.results()[0])).toMatchObject({ stdout: `${ws("ws-nm")}\n`, approvedBy: "allowlist" });
    expect(sandboxesOf("nm")).toEqual([]);
    x.emu.script(...calls(exec("pwd; id -u")));
    await x.run("go", { sessionKey: "agent:nm:chat-7" });
    expect(parsed(x.results()[0])).toMatchObject({ stdout: "/workspace\n1000\n", approvedBy: "policy" });
    expect(sandboxesOf("nm").map((s) => s.scopeKey)).toEqual(["session:nm:agent:nm:chat-7"]);
  });

  it("scope agent: two sessions share one sandbox; rw mounts the agent workspace", async () => {
    x.emu.script(...calls(exec("echo from-s1 > shared.txt")));
    await x.run("go", { sessionKey: "agent:ag:s1" });
    x.emu.script(...calls(exec("cat shared.txt")));
    await x.run("go", { sessionKey: "agent:ag:s2" });
    expect(parsed(x.results()[0])).toMatchObject({ stdout: "from-s1\n" });
    expect(readFileSync(join(ws("ws-ag"), "shared.txt"), "utf8")).toBe("from-s1\n");
    expect(sandboxesOf("ag").map((s) => s.scopeKey)).toEqual(["agent:ag"]);
  });

  it("scope shared: two agents reuse one sandbox; a ro workspace cannot be written", async () => {
    mkdirSync(ws("ws-sh"), { recursive: true });
    writeFileSync(join(ws("ws-sh"), "readme.txt"), "hello\n");
    x.emu.script(...calls(exec("cat readme.txt; touch new.txt || echo REFUSED")));
    await x.run("go", { agentId: "sh1", sessionKey: "agent:sh1:a" });
    const r = parsed(x.results()[0]);
    expect(r.stdout).toBe("hello\nREFUSED\n");
    expect(String(r.stderr)).toMatch(/Read-only file system/);
    x.emu.script(...calls({ name: "write", args: { path: "readme.txt", content: "changed" } }));
    await x.run("go", { agentId: "sh2", sessionKey: "agent:sh2:b" });
    expect(x.results()[0]).toMatch(/read-only/);
    x.emu.script(...calls(exec("cat readme.txt")));
    await x.run("go", { agentId: "sh2", sessionKey: "agent:sh2:b" });
    expect(parsed(x.results()[0])).toMatchObject({ stdout: "hello\n" });
    const shared = x.agents.tools.sandboxes.list().filter((s) => s.scopeKey.startsWith("shared:"));
    expect(shared).toHaveLength(1);
    expect(readFileSync(join(ws("ws-sh"), "readme.txt"), "utf8")).toBe("hello\n");
  });

  it("process: a background run in the sandbox is listed, polled and killed", async () => {
    let id = "";
    let step = 0;
    x.emu.handle((req) => {
      const msgs = req.body.messages as Array<{ role: string; content: string }>;
      const last = msgs.at(-1);
      if (last?.role !== "tool") {
        step = 0;
        return { toolCalls: [{ id: "b0", ...exec("echo started; sleep 60", { yieldMs: 1500 }) }] };
      }
      const r = parsed(last.content);
      step++;
      if (step === 1) {
        id = String(r.sessionId);
        return { toolCalls: [{ id: "b1", name: "process", args: { action: "list" } }] };
      }
      if (step === 2)
        return { toolCalls: [{ id: "b2", name: "process", args: { action: "poll", sessionId: id } }] };
      if (step === 3)
        return { toolCalls: [{ id: "b3", name: "process", args: { action: "kill", sessionId: id } }] };
      if (r.status === "running" || step === 4)
        return { toolCalls: [{ id: `b${step}`, name: "process", args: { action: "poll", sessionId: id } }] };
      return { text: "done" };
    });
    try {
      await x.run("go", { sessionKey: "agent:main:s1" });
    } finally {
      x.emu.handle(() => undefined);
    }
    const [started, list, poll, kill, ...rest] = x.results().map(parsed);
    expect(started).toMatchObject({ status: "running", tail: "started\n" });
    expect(JSON.stringify(list)).toContain(id);
    expect(poll).toMatchObject({ status: "running" });
    expect(kill).toMatchObject({ sessionId: id, killed: true, status: "failed", signal: "SIGKILL" });
    expect(rest.at(-1)).toMatchObject({ status: "failed", signal: "SIGKILL" });
  });

  it("a session reset destroys its sandbox; the next call gets a fresh one", async () => {
    const before = sandboxesOf("main").find((s) => s.scopeKey.endsWith(":s2"));
    expect(before).toBeDefined();
    x.agents.service.reset("agent:main:s2");
    await expect.poll(() => sandboxesOf("main").some((s) => s.id === before?.id)).toBe(false);
    x.emu.script(...calls(exec("ls -A")));
    await x.run("go", { sessionKey: "agent:main:s2" });
    expect(parsed(x.results()[0])).toMatchObject({ exitCode: 0, stdout: "" });
    const after = sandboxesOf("main").find((s) => s.scopeKey.endsWith(":s2"));
    expect(after?.id).not.toBe(before?.id);
  });
});
