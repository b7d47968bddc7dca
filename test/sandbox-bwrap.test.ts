/** bubblewrap backend against the real bwrap: escape attempts and the manager on bwrap. */
import { describe, expect, it } from "vitest";
import { BwrapBackend, SandboxManager } from "../src/sandbox/index.js";
import { escapeSuite } from "./fixtures/sandbox/escapes.js";
import { tempDir } from "./fixtures/sandbox/helpers.js";

const backend = new BwrapBackend();

describe("bwrap backend", () => {
  it("is available (installed by scripts/setup-system.sh)", async () => {
    const a = await backend.available();
    expect(a, a.reason).toMatchObject({ ok: true });
  });

  it("refuses a network other than none", async () => {
    const ws = await tempDir("bw-net");
    const m = new SandboxManager({
      agents: { defaults: { sandbox: { mode: "all", backend: "bwrap", docker: { network: "bridge" } } } },
      stateDir: ws,
      backends: [backend],
    });
    await expect(m.acquire({ agentId: "main", sessionKey: "s1" })).rejects.toMatchObject({
      code: "PAL_SANDBOX_POLICY_REFUSED",
    });
  });

  it("runs the exec of a session in the manager, reused within scope and removed at session end", async () => {
    const stateDir = await tempDir("bw-mgr");
    const m = new SandboxManager({
      agents: { defaults: { sandbox: { mode: "all", backend: "bwrap", workspaceAccess: "rw" } } },
      stateDir,
      backends: [backend],
    });
    const a = await m.acquire({ agentId: "main", sessionKey: "chat-1" });
    const b = await m.acquire({ agentId: "main", sessionKey: "chat-1" });
    expect(a?.id).toBe(b?.id);
    await a?.writeFile("note.txt", "hi");
    const r = await a?.exec(["/bin/sh", "-c", "cat note.txt; echo more >> note.txt"], {
      timeoutMs: 5000,
      maxOutputBytes: 1000,
    });
    expect(r?.stdout).toBe("hi");
    expect((await b?.readFile("note.txt"))?.toString()).toBe("himore\n");
    expect(await m.endSession({ agentId: "main", sessionKey: "chat-1" })).toBe(true);
    expect(m.list()).toHaveLength(0);
    await expect(a?.exec(["true"], { timeoutMs: 1000, maxOutputBytes: 10 })).rejects.toMatchObject({
      code: "PAL_SANDBOX_DESTROYED",
    });
  });
});

escapeSuite("bwrap", () => backend);
