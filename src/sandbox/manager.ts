/**
 * The sandbox manager: decides per agent and session whether tools run sandboxed, creates a
 * sandbox on first use, reuses it within its scope, destroys it when the session ends, prunes
 * idle and old ones, keeps the count bounded, and removes orphans of earlier runs on start.
 */
import { createHash } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AgentsConfig } from "../config/schema/agents.js";
import { fail } from "../core/errors.js";
import { ActivityMarks } from "./activity.js";
import { agentIds, agentSandboxSettings } from "./agents.js";
import { BwrapBackend } from "./bwrap/backend.js";
import { DockerBackend } from "./docker/backend.js";
import { defaultWorkspaceRoot, type SandboxSettings } from "./policy.js";
import { selectBackend } from "./select.js";
import type { Availability, ExecOptions, ExecResult, Sandbox, SandboxBackend } from "./types.js";

/** Options of {@link SandboxManager}. */
export interface SandboxManagerOptions {
  /** The `agents` config section. */
  readonly agents: AgentsConfig | undefined;
  /** State dir: default sandbox workspaces, activity markers, the install id for labels. */
  readonly stateDir: string;
  /** Backends in preference order; default docker then bwrap. Never include host here. */
  readonly backends?: readonly SandboxBackend[];
  /** Availability probe; default each backend's `available()`. Tests inject a bare host. */
  readonly probe?: (b: SandboxBackend) => Promise<Availability>;
  /** Clock; default Date.now. */
  readonly now?: () => number;
}

/** Who wants to run a tool. */
export interface SessionRef {
  /** Agent id. */
  readonly agentId: string;
  /** Session key. */
  readonly sessionKey: string;
  /** Whether this is the agent's main session; default: the key is "main" or ends in ":main". */
  readonly main?: boolean;
}

/** Where a session's tools run. */
export type Placement =
  | { readonly sandboxed: false; readonly why: string; readonly settings: SandboxSettings }
  | {
      readonly sandboxed: true;
      readonly scopeKey: string;
      readonly why: string;
      readonly settings: SandboxSettings;
    };

interface Entry {
  readonly sandbox: Sandbox;
  readonly agentId: string;
  readonly createdAt: number;
  lastUsedAt: number;
  busy: number;
}

/** Live state of one managed sandbox. */
export interface ManagedInfo {
  /** Sandbox id. */
  readonly id: string;
  /** Backend. */
  readonly backend: string;
  /** Scope key. */
  readonly scopeKey: string;
  /** Agent that created it. */
  readonly agentId: string;
  /** Creation time (ms). */
  readonly createdAt: number;
  /** Last exec (ms). */
  readonly lastUsedAt: number;
}

const isMainKey = (k: string) => k === "main" || k.endsWith(":main");

/** Creates, reuses and removes sandboxes by mode and scope. */
export class SandboxManager {
  private readonly entries = new Map<string, Entry>();
  private readonly creating = new Map<string, Promise<Entry>>();
  private readonly settings = new Map<string, SandboxSettings>();
  private readonly backends: readonly SandboxBackend[];
  private readonly now: () => number;
  /** Set by {@link holdUntilCleaned}: creations wait for it; `cleanOrphans` releases it. */
  private hold: { readonly done: Promise<void>; readonly release: () => void } | undefined;
  /** Last-use markers shared with the CLI. */
  readonly activity: ActivityMarks;

  constructor(private opts: SandboxManagerOptions) {
    this.backends = (
      opts.backends ?? [new DockerBackend({ home: opts.stateDir }), new BwrapBackend()]
    ).filter((b) => b.name !== "host");
    this.now = opts.now ?? Date.now;
    this.activity = new ActivityMarks(join(defaultWorkspaceRoot(opts.stateDir), ".activity"));
  }

  /** Effective settings of an agent (cached; throws on refused config). */
  settingsFor(agentId: string): SandboxSettings {
    let s = this.settings.get(agentId);
    if (!s) {
      s = agentSandboxSettings(this.opts.agents, agentId, this.opts.stateDir);
      this.settings.set(agentId, s);
    }
    return s;
  }

  /**
   * Applies a reloaded `agents` section: settings are re-resolved on next use, and sandboxes of
   * agents whose sandbox settings changed are destroyed (the next use creates one under the new
   * policy). Returns the ids destroyed.
   */
  async reconfigure(agents: AgentsConfig | undefined): Promise<string[]> {
    const before = new Map(this.settings);
    this.opts = { ...this.opts, agents };
    this.settings.clear();
    const removed: string[] = [];
    for (const [key, e] of [...this.entries]) {
      const old = before.get(e.agentId);
      let next: SandboxSettings | undefined;
      try {
        next = this.settingsFor(e.agentId);
      } catch {
        // refused config: the sandbox goes; the next use reports the refusal
      }
      if (old !== undefined && next !== undefined && JSON.stringify(old) === JSON.stringify(next)) continue;
      await this.destroyScope(key).catch(() => {});
      removed.push(e.sandbox.id);
    }
    return removed;
  }

  /** Decides whether a session's tools run sandboxed, and in which scope. */
  place(ref: SessionRef): Placement {
    const settings = this.settingsFor(ref.agentId);
    const main = ref.main ?? isMainKey(ref.sessionKey);
    if (settings.mode === "off") return { sandboxed: false, why: "sandbox.mode is off", settings };
    if (settings.mode === "non-main" && main)
      return { sandboxed: false, why: "sandbox.mode is non-main and this is the main session", settings };
    const policyHash = createHash("sha256").update(JSON.stringify(settings.policy)).digest("hex").slice(0, 8);
    const scopeKey =
      settings.scope === "session"
        ? `session:${ref.agentId}:${ref.sessionKey}`
        : settings.scope === "agent"
          ? `agent:${ref.agentId}`
          : `shared:${policyHash}`;
    const why = `sandbox.mode is ${settings.mode}${settings.mode === "non-main" ? " and this is not the main session" : ""}; scope ${settings.scope}`;
    return { sandboxed: true, scopeKey, why, settings };
  }

  /**
   * The sandbox for a session, created on first use and reused within its scope; null when
   * the mode says this session runs unsandboxed. Throws PAL_SANDBOX_UNAVAILABLE when a sandbox
   * is needed and no backend can make one.
   */
  async acquire(ref: SessionRef): Promise<Sandbox | null> {
    const p = this.place(ref);
    if (!p.sandboxed) return null;
    const existing = this.entries.get(p.scopeKey);
    if (existing) return this.handle(existing);
    let pending = this.creating.get(p.scopeKey);
    if (!pending) {
      pending = this.createEntry(p.scopeKey, ref.agentId, p.settings);
      this.creating.set(p.scopeKey, pending);
      pending.finally(() => this.creating.delete(p.scopeKey)).catch(() => {});
    }
    return this.handle(await pending);
  }

  /**
   * Holds every sandbox creation until the next {@link cleanOrphans} has finished (whether or not
   * it removed everything). A gateway calls this before it serves and cleans up after it
   * listens: the cleanup (backend probes, container listing) stays off the start-up path, yet no
   * sandbox is ever created next to one a crashed earlier run left.
   */
  holdUntilCleaned(): void {
    if (this.hold !== undefined) return;
    let release = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.hold = { done, release };
  }

  private async createEntry(scopeKey: string, agentId: string, s: SandboxSettings): Promise<Entry> {
    if (this.hold !== undefined) await this.hold.done;
    const { backend } = await selectBackend(s.backend, this.backends, this.opts.probe);
    await this.makeRoom(s.maxSandboxes - 1);
    const sandbox = await backend.create(scopeKey, s.policy);
    const now = this.now();
    const entry: Entry = { sandbox, agentId, createdAt: now, lastUsedAt: now, busy: 0 };
    this.entries.set(scopeKey, entry);
    await this.activity.touch(sandbox.id, now).catch(() => {});
    return entry;
  }

  /** A view of the sandbox that records use and keeps the entry from being pruned mid-run. */
  private handle(e: Entry): Sandbox {
    const sb = e.sandbox;
    const exec = async (argv: readonly string[], o: ExecOptions): Promise<ExecResult> => {
      e.busy++;
      e.lastUsedAt = this.now();
      try {
        return await sb.exec(argv, o);
      } finally {
        e.busy--;
        e.lastUsedAt = this.now();
        await this.activity.touch(sb.id, e.lastUsedAt).catch(() => {});
      }
    };
    return {
      id: sb.id,
      backend: sb.backend,
      scopeKey: sb.scopeKey,
      workspaceDir: sb.workspaceDir,
      exec,
      readFile: (p, m) => sb.readFile(p, m),
      writeFile: (p, d) => sb.writeFile(p, d),
      destroy: async () => {
        await this.destroyScope(sb.scopeKey);
      },
    };
  }

  private async makeRoom(max: number): Promise<void> {
    while (this.entries.size > max) {
      const lru = [...this.entries.entries()]
        .filter(([, e]) => e.busy === 0)
        .sort((a, b) => a[1].lastUsedAt - b[1].lastUsedAt)[0];
      if (!lru)
        throw fail("PAL_SANDBOX_BACKEND_FAILED", {
          backend: "manager",
          action: "make room",
          detail: `all ${this.entries.size} sandboxes are busy`,
        });
      await this.destroyScope(lru[0]);
    }
  }

  /** Destroys the sandbox of a scope key, if any. */
  async destroyScope(scopeKey: string): Promise<boolean> {
    const e = this.entries.get(scopeKey);
    if (!e) return false;
    this.entries.delete(scopeKey);
    await e.sandbox.destroy();
    await this.activity.forget(e.sandbox.id).catch(() => {});
    return true;
  }

  /** Ends a session: its session-scoped sandbox is destroyed (agent/shared scopes live on). */
  async endSession(ref: SessionRef): Promise<boolean> {
    const p = this.place(ref);
    if (!p.sandboxed || p.settings.scope !== "session") return false;
    return this.destroyScope(p.scopeKey);
  }

  /** Removes idle (past idleHours) and old (past maxAgeDays) sandboxes that are not running anything. */
  async prune(): Promise<string[]> {
    const now = this.now();
    const removed: string[] = [];
    for (const [key, e] of [...this.entries]) {
      const s = this.settingsFor(e.agentId);
      const idle = s.idleMs > 0 && now - e.lastUsedAt >= s.idleMs;
      const old = s.maxAgeMs > 0 && now - e.createdAt >= s.maxAgeMs;
      if (e.busy === 0 && (idle || old)) {
        await this.destroyScope(key);
        removed.push(e.sandbox.id);
      }
    }
    return removed;
  }

  /** Starts pruning every `intervalMs` (default 5 min); returns a stop function. */
  startPruning(intervalMs = 300_000): () => void {
    const t = setInterval(() => void this.prune().catch(() => {}), intervalMs);
    t.unref?.();
    return () => clearInterval(t);
  }

  /**
   * Removes what earlier runs of this install left: labelled containers and private workspace
   * dirs. Call once at start, before the first acquire (or hold creations with
   * {@link holdUntilCleaned} until it is done). Returns the ids removed.
   */
  async cleanOrphans(): Promise<string[]> {
    try {
      return await this.removeOrphans();
    } finally {
      this.hold?.release();
    }
  }

  private async removeOrphans(): Promise<string[]> {
    const live = new Set([...this.entries.values()].map((e) => e.sandbox.id));
    const removed: string[] = [];
    for (const b of this.backends) {
      if (!(await (this.opts.probe ?? ((x: SandboxBackend) => x.available()))(b)).ok) continue;
      for (const info of await b.listExisting()) {
        if (live.has(info.id)) continue;
        await b.remove(info.id);
        removed.push(info.id);
      }
    }
    const roots = new Set(
      agentIds(this.opts.agents).ids.map((id) => this.settingsFor(id).policy.workspaceRoot),
    );
    for (const root of roots) {
      for (const name of await readdir(root).catch(() => [] as string[])) {
        if (!name.startsWith("palisade-sbx-") || live.has(name)) continue;
        await rm(join(root, name), { recursive: true, force: true });
        if (!removed.includes(name)) removed.push(name);
      }
    }
    for (const id of await this.activity.ids()) if (!live.has(id)) await this.activity.forget(id);
    return removed;
  }

  /** Live sandboxes of this manager. */
  list(): ManagedInfo[] {
    return [...this.entries.entries()].map(([scopeKey, e]) => ({
      id: e.sandbox.id,
      backend: e.sandbox.backend,
      scopeKey,
      agentId: e.agentId,
      createdAt: e.createdAt,
      lastUsedAt: e.lastUsedAt,
    }));
  }

  /** Destroys every sandbox (gateway shutdown). */
  async shutdown(): Promise<void> {
    for (const key of [...this.entries.keys()]) await this.destroyScope(key).catch(() => {});
  }
}
