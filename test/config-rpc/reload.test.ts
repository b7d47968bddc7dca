/**
 * Hot reload of the config file on a real running gateway (in-process runtime): invalid edits
 * keep the running gateway untouched and say why; hot vs restart classes per mode.
 */
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configHash, validateConfigText } from "../../src/config/index.js";
import { type Runtime, startRuntime } from "../../src/gateway/process/runtime.js";
import { createLogger } from "../../src/logging/index.js";
import { openStore } from "../../src/store/index.js";
import { connect, TEST_TOKEN } from "../helpers/gateway.js";

let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function until<T>(fn: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const cfg = (port: number, o: { mode?: string; level?: string } = {}) =>
  JSON.stringify(
    {
      gateway: {
        port,
        auth: { mode: "token", token: TEST_TOKEN },
        reload: { mode: o.mode ?? "hybrid", debounceMs: 20 },
      },
      logging: { level: o.level ?? "info" },
    },
    null,
    2,
  );

async function start(o: { mode?: string; level?: string; watch?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "pal-reload-"));
  const file = join(dir, "palisade.json");
  const logFile = join(dir, "palisade.log");
  const port = await freePort();
  const text = cfg(port, o);
  writeFileSync(file, text, { mode: 0o600 });
  const checked = validateConfigText(text, file, {});
  if (!checked.ok) throw new Error("bad test config");
  const logger = createLogger({ level: checked.config.logging.level, file: logFile, console: false });
  rt = await startRuntime({
    store: openStore({ file: join(dir, "state.sqlite") }),
    config: checked.config,
    configFile: file,
    configHash: configHash(text),
    env: {},
    logger,
    watch: o.watch ?? true,
    build: (c) => ({
      gateway: c.gateway,
      auth: { token: TEST_TOKEN },
      logger,
      listen: { host: "127.0.0.1", port: c.gateway.port },
    }),
  });
  return { dir, file, logFile, port, logger, runtime: rt };
}

describe("config hot reload", () => {
  it("keeps the running gateway untouched on a broken edit, logs every problem and emits config.invalid", async () => {
    const { file, logFile, runtime } = await start();
    const before = runtime.supervisor.current();
    const { client } = await connect(before, { scopes: ["operator.read"] });
    writeFileSync(file, '{ gateway: { port: "nope", bind: "everywhere" }, logging: { level: "loud" } ');
    const ev = await client.nextWhere((f) => f.type === "event" && f.event === "config.invalid");
    const problems = (ev?.payload as { problems: { text: string }[] } | undefined)?.problems ?? [];
    expect(problems.length).toBeGreaterThan(0);
    writeFileSync(file, '{ gateway: { port: "nope", bind: "everywhere" }, logging: { level: "loud" } }');
    const ev2 = await client.nextWhere((f) => f.type === "event" && f.event === "config.invalid");
    const paths = ((ev2?.payload as { problems: { path: string }[] } | undefined)?.problems ?? []).map(
      (p) => p.path,
    );
    expect(paths).toEqual(expect.arrayContaining(["gateway.port", "gateway.bind", "logging.level"]));
    expect(runtime.supervisor.current()).toBe(before);
    expect((await client.call("health")).ok).toBe(true);
    expect(runtime.reloader.current().logging.level).toBe("info");
    const status = (await client.call("status", {})).payload as {
      gateway: { reload: { lastError?: string } };
    };
    expect(status.gateway.reload.lastError).toContain("last good config stays in effect");
    const log = await until(() => {
      const t = readFileSync(logFile, "utf8");
      return t.includes("gateway.bind") ? t : undefined;
    }, "log lines");
    expect(log).toContain("config reload refused");
    expect(log).toContain("gateway.port");
  });

  it("applies logging.level in place (the logger really changes) without restarting, also after a rename-replace", async () => {
    const { file, dir, logFile, port, logger, runtime } = await start();
    const before = runtime.supervisor.current();
    expect(logger.isLevelEnabled("debug")).toBe(false);
    // An editor that writes a temp file and renames it over the config.
    writeFileSync(join(dir, ".palisade.json.swp"), cfg(port, { level: "debug" }));
    renameSync(join(dir, ".palisade.json.swp"), file);
    await until(() => runtime.reloader.current().logging.level === "debug", "reload");
    expect(logger.level).toBe("debug");
    logger.debug("a debug line after reload");
    await until(
      () => readFileSync(logFile, "utf8").includes("a debug line after reload") || undefined,
      "debug line",
    );
    expect(runtime.supervisor.current()).toBe(before);
  });

  it("hybrid: a port change rebinds the server in-process", async () => {
    const { file, runtime } = await start({ watch: false });
    const old = runtime.supervisor.current();
    const { client } = await connect(old, { scopes: ["operator.read"] });
    const next = await freePort();
    writeFileSync(file, cfg(next));
    const outcome = await runtime.reloader.reload();
    expect(outcome).toMatchObject({
      status: "applied",
      mode: "hybrid",
      restart: ["gateway.port"],
      restarting: true,
    });
    await runtime.reloader.idle();
    expect(runtime.supervisor.current().port).toBe(next);
    expect((await client.closed).code).toBe(1012);
    const { res } = await connect(runtime.supervisor.current(), {});
    expect((res as { ok: boolean }).ok).toBe(true);
  });

  it("hot: restart-class changes stay pending in status, hot ones apply", async () => {
    const { file, port, logger, runtime } = await start({ mode: "hot", watch: false });
    const old = runtime.supervisor.current();
    const text = cfg(await freePort(), { mode: "hot", level: "warn" });
    writeFileSync(file, text);
    const outcome = await runtime.reloader.reload();
    expect(outcome).toMatchObject({
      status: "applied",
      hot: ["logging.level"],
      restart: ["gateway.port"],
      restarting: false,
      pending: ["gateway.port"],
    });
    await runtime.reloader.idle();
    expect(runtime.supervisor.current()).toBe(old);
    expect(runtime.supervisor.current().port).toBe(port);
    expect(logger.level).toBe("warn");
    const { client } = await connect(old, { scopes: ["operator.read"] });
    const status = (await client.call("status", {})).payload as {
      gateway: { reload: Record<string, unknown> };
    };
    expect(status.gateway.reload).toMatchObject({ mode: "hot", pendingRestart: ["gateway.port"] });
  });

  it("restart: even a hot-class change restarts the subsystems", async () => {
    const { file, port, runtime } = await start({ mode: "restart", watch: false });
    const old = runtime.supervisor.current();
    writeFileSync(file, cfg(port, { mode: "restart", level: "debug" }));
    expect(await runtime.reloader.reload()).toMatchObject({ status: "applied", restarting: true });
    await runtime.reloader.idle();
    expect(runtime.supervisor.current()).not.toBe(old);
    expect(runtime.supervisor.current().port).toBe(port);
  });

  it("off: nothing is applied; every change is reported as pending", async () => {
    const { file, port, logger, runtime } = await start({ mode: "off", watch: false });
    const old = runtime.supervisor.current();
    writeFileSync(file, cfg(port, { mode: "off", level: "debug" }));
    expect(await runtime.reloader.reload()).toMatchObject({
      status: "applied",
      restarting: false,
      pending: ["logging.level"],
    });
    expect(logger.level).toBe("info");
    expect(runtime.supervisor.current()).toBe(old);
  });
});
