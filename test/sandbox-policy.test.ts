/**
 * Sandbox policy and selection without containers: defaults, refusals of config that would
 * weaken isolation, backend auto-selection, the "nothing available" refusal (through an
 * injected availability probe), and host runs only with an elevated grant.
 */
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config/index.js";
import type { SandboxConfig } from "../src/config/schema/sandbox.js";
import {
  type Availability,
  BwrapBackend,
  DockerBackend,
  HostBackend,
  issueElevatedGrant,
  resolveSandboxSettings,
  SandboxManager,
  selectBackend,
} from "../src/sandbox/index.js";
import { tempDir } from "./fixtures/sandbox/helpers.js";

const paths = {
  agentWorkspace: "/srv/agent/ws",
  defaultWorkspaceRoot: "/var/lib/palisade/sandboxes",
  processUid: 0,
  processGid: 0,
};
const resolve = (cfg: SandboxConfig) => resolveSandboxSettings(cfg, paths);
const docker = new DockerBackend({ home: "policy-test", socketPath: "/nonexistent/docker.sock" });
const bwrap = new BwrapBackend();
const up: Availability = { ok: true, reason: "up", fix: "" };
const down = (fix: string): Availability => ({ ok: false, reason: "missing", fix });

describe("sandbox policy defaults", () => {
  it("applies the documented hardened defaults", () => {
    const s = resolve({});
    expect(s).toMatchObject({ mode: "non-main", scope: "session", backend: "auto", maxSandboxes: 32 });
    expect(s.idleMs).toBe(24 * 3_600_000);
    expect(s.policy).toMatchObject({
      workspaceAccess: "none",
      network: "none",
      readOnlyRoot: true,
      capDrop: ["ALL"],
      pidsLimit: 256,
      memoryBytes: 512 * 1024 ** 2,
      user: { uid: 1000, gid: 1000 },
      ulimits: { nproc: { soft: 256, hard: 256 }, nofile: { soft: 1024, hard: 1024 } },
    });
    expect(Object.isFrozen(s.policy)).toBe(true);
  });

  it("runs as the gateway's own user when it is not root", () => {
    expect(resolveSandboxSettings({}, { ...paths, processUid: 1234, processGid: 99 }).policy.user).toEqual({
      uid: 1234,
      gid: 99,
    });
  });
});

describe("sandbox config that weakens isolation is refused", () => {
  const refused = (cfg: SandboxConfig, re: RegExp) => {
    let err: unknown;
    try {
      resolve(cfg);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "PAL_SANDBOX_POLICY_REFUSED" });
    expect((err as Error).message).toMatch(re);
  };

  it.each(["host", "container:abc123", "ns:/proc/1/ns/net"])("network %s", (network) =>
    refused({ docker: { network } }, /network/),
  );
  it.each([
    "/var/run/docker.sock:/var/run/docker.sock",
    "/run/docker.sock:/d.sock",
    "/:/host",
    "/etc:/etc2:ro",
    "/proc:/p",
    "/sys/fs:/s",
    "/root:/r",
    "/root/.ssh:/keys:ro",
    "/var/run:/vr",
    "/var/lib/docker:/d",
    "/home:/h",
    "/usr:/u:ro",
    "relative:/x",
    "/srv/project:/workspace/override",
    "/srv/project:/x:z",
  ])("bind %s", (bind) => refused({ docker: { binds: [bind] } }, /binds/));
  it("root user", () => refused({ docker: { user: "0:0" } }, /root/));
  it("a named user (cannot be checked for root)", () => refused({ docker: { user: "root" } }, /numeric/));
  it("capDrop without ALL", () => refused({ docker: { capDrop: ["NET_RAW"] } }, /ALL/));
  it("seccomp unconfined", () => refused({ docker: { seccompProfile: "unconfined" } }, /seccomp/));
  it("unlimited ulimits", () => refused({ docker: { ulimits: { nproc: -1 } } }, /unlimited/));

  it("privileged is not even a key of the schema", () => {
    const r = configSchema.safeParse({ agents: { defaults: { sandbox: { docker: { privileged: true } } } } });
    expect(r.success).toBe(false);
  });

  it("allows a vetted project bind and a bridge network", () => {
    const s = resolve({ docker: { binds: ["/srv/project:/project:ro"], network: "bridge" } });
    expect(s.policy.binds).toEqual(["/srv/project:/project:ro"]);
  });

  it('refuses backend "host" from config', () => {
    expect(() => resolve({ backend: "host" })).toThrow(/tools\.elevated/);
  });
});

describe("backend selection", () => {
  it("auto prefers docker, then bwrap", async () => {
    expect((await selectBackend("auto", [docker, bwrap], async () => up)).backend.name).toBe("docker");
    const probe = async (b: { name: string }) => (b.name === "docker" ? down("install docker.io") : up);
    expect((await selectBackend("auto", [docker, bwrap], probe)).backend.name).toBe("bwrap");
  });

  it("refuses when nothing is available and says what to install", async () => {
    const probe = async (b: { name: string }) => down(`install ${b.name}`);
    await expect(selectBackend("auto", [docker, bwrap], probe)).rejects.toMatchObject({
      code: "PAL_SANDBOX_UNAVAILABLE",
      message: expect.stringMatching(/install docker.*install bwrap/),
    });
  });

  it("a configured backend that is missing is refused, not replaced", async () => {
    const probe = async (b: { name: string }) => (b.name === "docker" ? down("install docker.io") : up);
    await expect(selectBackend("docker", [docker, bwrap], probe)).rejects.toMatchObject({
      code: "PAL_SANDBOX_UNAVAILABLE",
    });
  });

  it("the real docker probe reports a missing socket with the fix", async () => {
    const a = await docker.available();
    expect(a.ok).toBe(false);
    expect(a.fix).toMatch(/docker\.io/);
  });

  it("the manager never falls back to the host when no backend is available", async () => {
    const stateDir = await tempDir("pol-none");
    const m = new SandboxManager({
      agents: { defaults: { sandbox: { mode: "all" } } },
      stateDir,
      backends: [docker, bwrap],
      probe: async () => down("apt-get install docker.io or bubblewrap"),
    });
    await expect(m.acquire({ agentId: "main", sessionKey: "s" })).rejects.toMatchObject({
      code: "PAL_SANDBOX_UNAVAILABLE",
    });
  });

  it("modes: off and the main session of non-main run unsandboxed; the rest sandboxed", async () => {
    const stateDir = await tempDir("pol-mode");
    const m = new SandboxManager({
      agents: {
        list: [
          { id: "main" },
          { id: "ops", sandbox: { mode: "off" } },
          { id: "pub", sandbox: { mode: "all", scope: "shared" } },
        ],
      },
      stateDir,
      backends: [],
    });
    expect(m.place({ agentId: "main", sessionKey: "agent:main:main" }).sandboxed).toBe(false);
    expect(m.place({ agentId: "main", sessionKey: "agent:main:telegram:dm:42" })).toMatchObject({
      sandboxed: true,
      scopeKey: "session:main:agent:main:telegram:dm:42",
    });
    expect(m.place({ agentId: "ops", sessionKey: "x" }).sandboxed).toBe(false);
    expect(m.place({ agentId: "pub", sessionKey: "main", main: true })).toMatchObject({ sandboxed: true });
    expect(await m.acquire({ agentId: "main", sessionKey: "main" })).toBeNull();
  });
});

describe("host backend", () => {
  it("cannot be built without a grant from the approval flow", () => {
    expect(() => new HostBackend({ agentId: "main", approvalId: "forged" })).toThrow(/elevated/);
  });

  it("runs on the host with a grant", async () => {
    const grant = issueElevatedGrant({ agentId: "main", approvalId: "a1", approved: true });
    const ws = await tempDir("host");
    const sb = await new HostBackend(grant).create(
      "h",
      resolveSandboxSettings({ workspaceAccess: "rw" }, { ...paths, agentWorkspace: ws }).policy,
    );
    const r = await sb.exec(["/bin/sh", "-c", "pwd"], { timeoutMs: 5000, maxOutputBytes: 1000 });
    expect(r.stdout.trim()).toBe(ws);
    await sb.destroy();
  });
});
