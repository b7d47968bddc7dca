/**
 * Start-up work that runs after the gateway listens: the orphan sandbox cleanup. It must still
 * finish before any sandbox is created, and `/readyz` must say 503 with the stage until it has.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { configSchema } from "../src/config/index.js";
import { attachAgentRuntime, SANDBOX_CLEANUP_STAGE } from "../src/gateway/process/agent-runtime.js";
import { releaseStartupMemory, v8Collector } from "../src/gateway/process/startup-memory.js";
import {
  type Availability,
  defaultWorkspaceRoot,
  type Sandbox,
  type SandboxBackend,
  type SandboxInfo,
  SandboxManager,
} from "../src/sandbox/index.js";
import { openStore } from "../src/store/index.js";
import { startTestGateway } from "./helpers/gateway.js";
import { startGatewayProcess } from "./support/cli.js";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempState(): string {
  const dir = mkdtempSync(join(tmpdir(), "pal-startup-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const UP: Availability = { ok: true, reason: "test backend", fix: "" };

/** A backend that records what happens to it, with a sandbox an earlier (crashed) run left. */
class RecordingBackend implements SandboxBackend {
  readonly name = "bwrap" as const;
  readonly events: string[] = [];
  existing: SandboxInfo[] = [
    {
      id: "palisade-sbx-crashed",
      backend: "bwrap",
      scopeKey: "old",
      createdAt: 0,
      state: "running",
      image: "",
    },
  ];
  constructor(private readonly failListing = false) {}
  async available(): Promise<Availability> {
    return UP;
  }
  async listExisting(): Promise<SandboxInfo[]> {
    if (this.failListing) throw new Error("listing failed");
    return this.existing;
  }
  async remove(id: string): Promise<void> {
    this.events.push(`remove ${id}`);
    this.existing = this.existing.filter((i) => i.id !== id);
  }
  async create(scopeKey: string): Promise<Sandbox> {
    this.events.push(`create ${scopeKey}`);
    const fail = async (): Promise<never> => {
      throw new Error("not used");
    };
    return {
      id: `palisade-sbx-${this.events.length}`,
      backend: "bwrap",
      scopeKey,
      workspaceDir: "/nonexistent",
      exec: fail,
      readFile: fail,
      writeFile: fail,
      destroy: async () => {},
    };
  }
}

const ALL = { defaults: { sandbox: { mode: "all" as const } } };
const ticks = () => new Promise((r) => setTimeout(r, 30));

describe("gateway start-up: the orphan cleanup runs after listening", () => {
  it("a held manager creates no sandbox until the orphans of a crashed run are removed", async () => {
    const stateDir = tempState();
    const root = defaultWorkspaceRoot(stateDir);
    mkdirSync(join(root, "palisade-sbx-leftover"), { recursive: true });
    const backend = new RecordingBackend();
    const m = new SandboxManager({ agents: ALL, stateDir, backends: [backend] });
    m.holdUntilCleaned();
    const acquired = m.acquire({ agentId: "main", sessionKey: "s1" });
    await ticks();
    expect(backend.events).toEqual([]);
    const removed = await m.cleanOrphans();
    expect(removed).toEqual(["palisade-sbx-crashed", "palisade-sbx-leftover"]);
    expect((await acquired)?.scopeKey).toBe("session:main:s1");
    expect(backend.events).toEqual(["remove palisade-sbx-crashed", "create session:main:s1"]);
    expect(existsSync(join(root, "palisade-sbx-leftover"))).toBe(false);
  });

  it("a failed cleanup still releases the hold (the failure is logged, tools are not stuck)", async () => {
    const backend = new RecordingBackend(true);
    const m = new SandboxManager({ agents: ALL, stateDir: tempState(), backends: [backend] });
    m.holdUntilCleaned();
    const acquired = m.acquire({ agentId: "main", sessionKey: "s1" });
    await expect(m.cleanOrphans()).rejects.toThrow(/listing failed/);
    expect((await acquired)?.scopeKey).toBe("session:main:s1");
  });

  it("/readyz answers 503 naming the stage until the cleanup has finished, then 200", async () => {
    const stateDir = tempState();
    const store = openStore({ file: join(stateDir, "state.sqlite") });
    cleanup.push(() => store.close());
    let releaseProbe = () => {};
    const probed = new Promise<void>((r) => {
      releaseProbe = r;
    });
    const backend = new RecordingBackend();
    const sandboxes = new SandboxManager({
      agents: ALL,
      stateDir,
      backends: [backend],
      probe: async () => {
        await probed;
        return UP;
      },
    });
    const agents = await attachAgentRuntime({
      config: configSchema.parse({ agents: ALL }),
      env: {},
      stateDir,
      logger: pino({ level: "silent" }),
      store,
      tools: { sandboxes },
    });
    cleanup.push(() => agents.close());
    agents.holdSandboxes();
    const gw = await startTestGateway();
    cleanup.push(() => gw.close());
    agents.attach(gw);
    const readyz = async () => {
      const res = await fetch(`${gw.url.replace("ws://", "http://")}/readyz`);
      return { status: res.status, body: await res.json() };
    };
    const started = agents.startSandboxes();
    const acquired = sandboxes.acquire({ agentId: "main", sessionKey: "s1" });
    expect(await readyz()).toEqual({ status: 503, body: { ready: false, stage: SANDBOX_CLEANUP_STAGE } });
    await ticks();
    expect(backend.events).toEqual([]);
    releaseProbe();
    await started;
    await acquired;
    expect(backend.events).toEqual(["remove palisade-sbx-crashed", "create session:main:s1"]);
    expect(await readyz()).toEqual({ status: 200, body: { ready: true } });
    await agents.stopSandboxes();
  });

  it("a gateway process removes a crashed run's sandbox workspace before it reports ready", async () => {
    const stateDir = tempState();
    const leftover = join(defaultWorkspaceRoot(stateDir), "palisade-sbx-crashed");
    mkdirSync(leftover, { recursive: true });
    const gw = await startGatewayProcess(stateDir, ["--port", "0"]);
    cleanup.push(() => gw.stop("SIGKILL"));
    const readyz = `${gw.url.replace("ws://", "http://")}/readyz`;
    for (;;) {
      const res = await fetch(readyz);
      if (res.status === 200) break;
      expect(await res.json()).toEqual({ ready: false, stage: SANDBOX_CLEANUP_STAGE });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(existsSync(leftover)).toBe(false);
    expect(await gw.stop("SIGTERM")).toBe(0);
  });
});

describe("gateway start-up: the memory start-up used is released once idle", () => {
  it("collects once when idle, retries while busy, gives up after its tries, and can be cancelled", () => {
    vi.useFakeTimers();
    try {
      let busy = true;
      let collected = 0;
      const collect = () => void collected++;
      releaseStartupMemory({ idle: () => !busy, collect, delayMs: 100, tries: 3 });
      vi.advanceTimersByTime(100);
      expect(collected).toBe(0);
      busy = false;
      vi.advanceTimersByTime(100);
      expect(collected).toBe(1);
      vi.advanceTimersByTime(1000);
      expect(collected).toBe(1);

      busy = true;
      releaseStartupMemory({ idle: () => !busy, collect, delayMs: 100, tries: 3 });
      vi.advanceTimersByTime(300);
      busy = false;
      vi.advanceTimersByTime(1000);
      expect(collected).toBe(1);

      const cancel = releaseStartupMemory({ idle: () => true, collect, delayMs: 100 });
      cancel();
      vi.advanceTimersByTime(1000);
      expect(collected).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("V8's collector runs without exposing gc to the process", () => {
    const hadGc = "gc" in globalThis;
    expect(() => v8Collector()()).not.toThrow();
    expect("gc" in globalThis).toBe(hadGc);
  });
});
