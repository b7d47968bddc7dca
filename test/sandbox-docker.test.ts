/**
 * docker backend against a real dockerd (started by scripts/setup-system.sh) and a busybox image
 * built locally: hardening of the created container, escape attempts, manager lifecycle
 * (reuse within scope, destroy, prune, bounded count, orphan cleanup).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DockerBackend, LABEL_SANDBOX, SandboxManager } from "../src/sandbox/index.js";
import { escapeSuite } from "./fixtures/sandbox/escapes.js";
import { ensureBusyboxImage, TEST_IMAGE, tempDir, testPolicy } from "./fixtures/sandbox/helpers.js";

const backend = new DockerBackend({ home: "palisade-test-docker-escapes" });
const run = { timeoutMs: 20_000, maxOutputBytes: 64 * 1024 };

beforeAll(async () => {
  const a = await backend.available();
  if (!a.ok) throw new Error(`dockerd is not running (${a.reason}); run scripts/setup-system.sh`);
  await ensureBusyboxImage(backend.docker);
  // containers an interrupted earlier run of this file left behind
  for (const left of await backend.listExisting()) await backend.remove(left.id);
}, 120_000);

describe("docker backend", () => {
  it("creates a hardened container", async () => {
    const base = await tempDir("dk-spec");
    const sb = await backend.create("spec", testPolicy({ workspace: `${base}/ws`, root: `${base}/sb` }));
    try {
      const info = await backend.docker.getContainer(sb.id).inspect();
      const hc = info.HostConfig;
      expect(hc.NetworkMode).toBe("none");
      expect(hc.ReadonlyRootfs).toBe(true);
      expect(hc.Privileged).toBe(false);
      expect(hc.CapDrop).toEqual(["ALL"]);
      expect(hc.SecurityOpt).toContain("no-new-privileges:true");
      expect(hc.PidsLimit).toBe(64);
      expect(hc.Memory).toBe(128 * 1024 * 1024);
      expect(hc.Ulimits).toEqual(
        expect.arrayContaining([
          { Name: "nproc", Soft: 256, Hard: 256 },
          { Name: "nofile", Soft: 1024, Hard: 1024 },
        ]),
      );
      expect(Object.keys(hc.Tmpfs ?? {})).toEqual(["/tmp"]);
      expect(info.Mounts.map((m) => m.Destination)).toEqual(["/workspace"]);
      expect(info.Config.User).toBe("1000:1000");
      expect(info.Config.Labels[LABEL_SANDBOX]).toBe("1");
      const caps = await sb.exec(["/bin/sh", "-c", "grep CapEff /proc/self/status"], run);
      expect(caps.stdout).toContain("0000000000000000");
    } finally {
      await sb.destroy();
    }
  });

  it("reports a missing image with the fix", async () => {
    const base = await tempDir("dk-img");
    const p = testPolicy(
      { workspace: `${base}/ws`, root: `${base}/sb` },
      { docker: { image: "palisade-no-such:1" } },
    );
    await expect(backend.create("noimg", p)).rejects.toThrow(/palisade sandbox build/);
  });
});

describe("docker: manager lifecycle", () => {
  const agents = (extra: object = {}) => ({
    defaults: {
      sandbox: { mode: "all" as const, backend: "docker" as const, docker: { image: TEST_IMAGE }, ...extra },
    },
    list: [
      { id: "main", default: true },
      { id: "work", sandbox: { scope: "agent" as const } },
    ],
  });

  it("reuses within the scope, separates sessions, destroys at session end", async () => {
    const stateDir = await tempDir("dk-life");
    const m = new SandboxManager({
      agents: agents(),
      stateDir,
      backends: [new DockerBackend({ home: stateDir })],
    });
    try {
      const a1 = await m.acquire({ agentId: "main", sessionKey: "s1" });
      const a2 = await m.acquire({ agentId: "main", sessionKey: "s1" });
      const b = await m.acquire({ agentId: "main", sessionKey: "s2" });
      expect(a1?.id).toBe(a2?.id);
      expect(b?.id).not.toBe(a1?.id);
      const w1 = await m.acquire({ agentId: "work", sessionKey: "x" });
      const w2 = await m.acquire({ agentId: "work", sessionKey: "y" });
      expect(w1?.id).toBe(w2?.id);
      await a1?.exec(["/bin/sh", "-c", "echo kept > /tmp/state"], run);
      expect((await a2?.exec(["cat", "/tmp/state"], run))?.stdout).toBe("kept\n");
      expect(await m.endSession({ agentId: "main", sessionKey: "s1" })).toBe(true);
      expect(await m.endSession({ agentId: "work", sessionKey: "x" })).toBe(false);
      const live = (await new DockerBackend({ home: stateDir }).listExisting()).map((i) => i.id).sort();
      expect(live).toEqual([b?.id, w1?.id].sort());
    } finally {
      await m.shutdown();
    }
  });

  it("prunes idle sandboxes and keeps the count bounded", async () => {
    const stateDir = await tempDir("dk-prune");
    let now = 1_000_000;
    const m = new SandboxManager({
      agents: agents({ prune: { idleHours: 1, maxSandboxes: 2 } }),
      stateDir,
      backends: [new DockerBackend({ home: stateDir })],
      now: () => now,
    });
    try {
      const s1 = await m.acquire({ agentId: "main", sessionKey: "p1" });
      now += 10;
      const s2 = await m.acquire({ agentId: "main", sessionKey: "p2" });
      now += 10;
      await m.acquire({ agentId: "main", sessionKey: "p3" });
      expect(m.list().map((i) => i.id)).not.toContain(s1?.id);
      expect(m.list()).toHaveLength(2);
      now += 30 * 60_000;
      await s2?.exec(["true"], run);
      now += 45 * 60_000;
      const removed = await m.prune();
      expect(removed).toHaveLength(1);
      expect(m.list().map((i) => i.id)).toEqual([s2?.id]);
    } finally {
      await m.shutdown();
    }
  });

  it("removes orphans of an earlier run on start", async () => {
    const stateDir = await tempDir("dk-orphan");
    const earlier = new SandboxManager({
      agents: agents(),
      stateDir,
      backends: [new DockerBackend({ home: stateDir })],
    });
    const left = await earlier.acquire({ agentId: "main", sessionKey: "crashed" });
    // the earlier process "crashes": nothing is destroyed
    const other = new DockerBackend({ home: "some-other-install" });
    const foreign = await other.create(
      "foreign",
      testPolicy({ workspace: `${stateDir}/f`, root: `${stateDir}/f-sb` }),
    );
    try {
      const next = new SandboxManager({
        agents: agents(),
        stateDir,
        backends: [new DockerBackend({ home: stateDir })],
      });
      const removed = await next.cleanOrphans();
      expect(removed).toContain(left?.id);
      expect(await new DockerBackend({ home: stateDir }).listExisting()).toEqual([]);
      expect((await other.listExisting()).map((i) => i.id)).toEqual([foreign.id]);
    } finally {
      await foreign.destroy();
    }
  });
});

// A uid of its own, so its fork bomb does not spend the bwrap suite's per-uid nproc budget.
escapeSuite("docker", () => backend, "2000:2000");
