import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { connectGateway } from "../src/client/index.js";
import { runCli, runCliAsync, startGatewayProcess, tempStateDir } from "./support/cli.js";

const tokenOf = (stateDir: string) =>
  readFileSync(join(stateDir, "credentials", "gateway.token"), "utf8").trim();

describe("palisade gateway run (real process)", () => {
  it("starts on embedded defaults, generates a 0600 token, serves, and exits 0 on SIGTERM", async () => {
    const dir = tempStateDir();
    const gw = await startGatewayProcess(dir);
    expect(gw.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(gw.stdout()).toContain("generated a gateway token");
    const token = tokenOf(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(gw.stdout()).not.toContain(token);
    expect(statSync(join(dir, "credentials", "gateway.token")).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const client = await connectGateway({ url: gw.url, token });
    expect(client.hello.type).toBe("hello-ok");
    expect(client.hello.protocol).toBe(4);
    const health = await client.call<Record<string, unknown>>("health");
    expect(health.ok).toBe(true);
    const events: string[] = [];
    client.onEvent((e) => events.push(e.event));
    const http = await fetch(`${gw.url.replace("ws:", "http:")}/healthz`);
    expect(http.status).toBe(200);

    expect(await gw.stop("SIGTERM")).toBe(0);
    const closed = await client.closed;
    expect(events).toContain("shutdown");
    expect(closed.code).not.toBe(1006);
    // lock released
    expect(() => statSync(join(dir, "gateway.lock"))).toThrow();
  });

  it("refuses a second gateway on the same state dir, naming the pid (exit 1)", async () => {
    const dir = tempStateDir();
    const gw = await startGatewayProcess(dir);
    try {
      const r = runCli(["--state-dir", dir, "gateway", "run", "--port", "0"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`pid ${gw.child.pid}`);
    } finally {
      await gw.stop();
    }
  });

  it("takes over a stale lock left by a dead process", async () => {
    const dir = tempStateDir();
    writeFileSync(join(dir, "gateway.lock"), JSON.stringify({ pid: 2 ** 22 + 777, startedAt: "2020-01-01" }));
    const gw = await startGatewayProcess(dir);
    expect(JSON.parse(readFileSync(join(dir, "gateway.lock"), "utf8")).pid).toBe(gw.child.pid);
    await gw.stop();
  });

  it("exits 1 with one sentence when the port is in use", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = runCli(["--state-dir", tempStateDir(), "gateway", "run", "--port", String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${port}`);
      expect(r.stderr).toContain("already in use");
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      blocker.close();
    }
  });

  it("refuses an invalid config with exit 2 and binds nothing", () => {
    const dir = tempStateDir({ gateway: { prot: 1 } });
    const r = runCli(["--state-dir", dir, "gateway", "run", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("gateway.prot");
    expect(r.stdout).not.toContain("listening on");
    expect(() => statSync(join(dir, "gateway.lock"))).toThrow();
  });

  it("refuses a non-loopback bind without auth (exit 2)", () => {
    const dir = tempStateDir({ gateway: { bind: "lan", auth: { mode: "none" } } });
    const r = runCli(["--state-dir", dir, "gateway", "run", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to start/);
  });

  it("answers gateway call, gateway status and logs from the CLI", async () => {
    const dir = tempStateDir();
    const gw = await startGatewayProcess(dir);
    try {
      const call = runCli(["--state-dir", dir, "gateway", "call", "health", "--json"]);
      expect(call.code, call.stderr).toBe(0);
      expect(JSON.parse(call.stdout).ok).toBe(true);
      const status = runCli(["--state-dir", dir, "gateway", "status"]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain("gateway: running");
      const logs = runCli(["--state-dir", dir, "logs", "--limit", "50", "--json"]);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toContain("gateway started");
      expect(logs.stdout).not.toContain(tokenOf(dir));
      const unknown = runCli(["--state-dir", dir, "gateway", "call", "no.such.method"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("INVALID_REQUEST");
    } finally {
      await gw.stop();
    }
  });

  it("tells the user plainly when no gateway runs", () => {
    const r = runCli([
      "--state-dir",
      tempStateDir(),
      "gateway",
      "status",
      "--url",
      "ws://127.0.0.1:9",
      "--timeout",
      "3000",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot reach the gateway");
  });

  it("never sends the local token to a URL given on the command line", async () => {
    const dir = tempStateDir({ gateway: { auth: { token: "local-secret-token-0123456789abcdef" } } });
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => wss.once("listening", r));
    const seen: string[] = [];
    wss.on("connection", (ws) => {
      ws.send(
        JSON.stringify({
          type: "event",
          event: "connect.challenge",
          payload: { nonce: "n", ts: Date.now() },
        }),
      );
      ws.on("message", (d) => {
        seen.push(String(d));
        ws.close(1008, "bye");
      });
    });
    const port = (wss.address() as { port: number }).port;
    const r = await runCliAsync([
      "--state-dir",
      dir,
      "gateway",
      "call",
      "health",
      "--url",
      `ws://127.0.0.1:${port}`,
    ]);
    wss.close();
    expect(r.code).toBe(1);
    expect(seen.length).toBe(1);
    expect(seen.join("")).not.toContain("local-secret-token");
  });
});
