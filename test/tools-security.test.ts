/**
 * Refusals of the tools layer on real files, sockets and the real approval store: path escapes
 * (symlinks, "..", absolute, a symlink swapped in a loop during the calls), SSRF (every special
 * range, redirects to private addresses, DNS answers that change), environment injection,
 * wrapper laundering, and approval binding. Property tests for the IP classifier and the jail.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/store/index.js";
import { bindingHash, hashScripts } from "../src/tools/exec/binding.js";
import {
  allowlistHit,
  analyzeCommand,
  checkModelEnv,
  ExecApprovals,
  isPublicAddress,
  jailComponents,
  makeJail,
  nonPublicReason,
  readJailed,
  safeFetch,
  writeJailed,
} from "../src/tools/index.js";

const dir = mkdtempSync(join(tmpdir(), "pal-toolsec-"));
const root = join(dir, "ws");
const outside = join(dir, "outside");
let hits = 0;
let local: Server;
let port = 0;

beforeAll(async () => {
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, "secret"), "SECRET");
  writeFileSync(join(root, "ok.txt"), "fine");
  symlinkSync(join(outside, "secret"), join(root, "link"));
  symlinkSync(outside, join(root, "dirlink"));
  local = createServer((q, s) => {
    hits++;
    if (q.url === "/redirect") s.writeHead(302, { location: "http://127.0.0.1:1/admin" }).end();
    else s.end("internal");
  });
  await new Promise<void>((r) => local.listen(0, "127.0.0.1", r));
  port = (local.address() as { port: number }).port;
});
afterAll(() => {
  local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("fs jail", () => {
  it.each([
    ["../outside/secret", /"\.\." is not allowed/],
    ["/etc/passwd", /absolute paths outside the workspace/],
    ["link", /symlink/],
    ["dirlink/secret", /symlink/],
    ["a\0b", /NUL/],
  ])("refuses %j", async (p, why) => {
    const jail = await makeJail(root);
    await expect(readJailed(jail, p, 1000)).rejects.toThrow(why);
  });

  it("never writes through a symlink, and reads inside normally", async () => {
    const jail = await makeJail(root);
    expect((await readJailed(jail, `${root}/ok.txt`, 100)).data.toString()).toBe("fine");
    await writeJailed(jail, "link", "overwritten", 100);
    expect(readFileSync(join(outside, "secret"), "utf8")).toBe("SECRET");
    await expect(writeJailed(jail, "dirlink/x", "y", 100)).rejects.toThrow(/symlink/);
    await expect(writeJailed(jail, "big", "x".repeat(101), 100)).rejects.toThrow(/over the limit/);
  });

  it("a directory swapped for a symlink in a loop during the calls never leaks or writes outside", async () => {
    const jail = await makeJail(root);
    const sub = join(root, "swap");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "secret"), "inside");
    let stop = false;
    const swapper = (async () => {
      for (let i = 0; !stop && i < 5000; i++) {
        try {
          renameSync(sub, `${sub}.real`);
          symlinkSync(outside, sub);
          await new Promise((r) => setImmediate(r));
          rmSync(sub);
          renameSync(`${sub}.real`, sub);
        } catch {}
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 300; i++) {
      const r = await readJailed(jail, "swap/secret", 100).catch(() => undefined);
      if (r) expect(r.data.toString()).toBe("inside");
      await writeJailed(jail, "swap/new", "w", 100).catch(() => undefined);
    }
    stop = true;
    await swapper;
    expect(readFileSync(join(outside, "secret"), "utf8")).toBe("SECRET");
    expect(() => readFileSync(join(outside, "new"))).toThrow();
  });

  it("property: accepted components never contain .. and stay relative", async () => {
    const jail = await makeJail(root);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "..", ".", "", "/", "b/c", "..."), { maxLength: 8 }),
        (parts) => {
          const p = parts.join("/");
          try {
            const c = jailComponents(jail, p);
            return !c.includes("..") && c.every((x) => x !== "" && !x.includes("/"));
          } catch (err) {
            return /refused/.test(String(err)) || /\.\./.test(p) || p.startsWith("/");
          }
        },
      ),
    );
  });
});

describe("SSRF guard", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12::1",
    "::ffff:127.0.0.1",
    "::ffff:8.8.8.8",
    "::127.0.0.1",
    "64:ff9b::10.0.0.1",
    "2002:c0a8:101::1",
    "ff02::1",
    "2001:db8::1",
  ])("refuses %s", (ip) => {
    expect(nonPublicReason(ip)).toBeDefined();
  });

  it.each(["8.8.8.8", "1.1.1.1", "2606:4700::1111", "64:ff9b::808:808"])("accepts %s", (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it("property: every address in a private IPv4 block is refused, also when IPv4-mapped", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(10, 127, 169, 172, 192, 100),
        fc.nat(255),
        fc.nat(255),
        fc.nat(255),
        (a, b, c, d) => {
          const second =
            a === 169 ? 254 : a === 172 ? 16 + (b % 16) : a === 192 ? 168 : a === 100 ? 64 + (b % 64) : b;
          const ip = `${a}.${second}.${c}.${d}`;
          return nonPublicReason(ip) !== undefined && nonPublicReason(`::ffff:${ip}`) !== undefined;
        },
      ),
    );
  });

  it("refuses schemes, credentials and private DNS answers without connecting", async () => {
    const resolve = async (h: string) =>
      h === "mixed.test"
        ? [
            { address: "8.8.8.8", family: 4 },
            { address: "127.0.0.1", family: 4 },
          ]
        : [{ address: "127.0.0.1", family: 4 }];
    await expect(safeFetch("file:///etc/passwd", { resolve })).rejects.toThrow(/only http and https/);
    await expect(safeFetch(`http://u:p@public.test:${port}/`, { resolve })).rejects.toThrow(/credentials/);
    await expect(safeFetch(`http://evil.test:${port}/`, { resolve })).rejects.toThrow(
      /127.0.0.1, which is loopback/,
    );
    await expect(safeFetch(`http://mixed.test:${port}/`, { resolve })).rejects.toThrow(/loopback/);
    await expect(safeFetch(`http://[::ffff:127.0.0.1]:${port}/`, { resolve })).rejects.toThrow(/IPv4-mapped/);
    expect(hits).toBe(0);
  });

  it("a redirect to a private address is refused at that hop", async () => {
    const before = hits;
    const policy = (a: string) => (a === "127.0.0.1" ? undefined : nonPublicReason(a));
    const resolve = async (h: string) =>
      h === "ok.test" ? [{ address: "127.0.0.1", family: 4 }] : [{ address: "10.0.0.5", family: 4 }];
    await expect(
      safeFetch(`http://ok.test:${port}/redirect`, {
        resolve,
        addressPolicy: (a) => (a === "127.0.0.1" ? undefined : policy(a)),
        maxRedirects: 3,
      }),
    ).rejects.toThrow(/127.0.0.1:1|refused|failed/);
    expect(hits).toBe(before + 1);
  });

  it("DNS rebinding: the connection goes to the checked address, not a later answer", async () => {
    let calls = 0;
    const resolve = async () =>
      calls++ === 0 ? [{ address: "203.0.113.9", family: 4 }] : [{ address: "127.0.0.1", family: 4 }];
    const before = hits;
    // 203.0.113.0/24 is allowed by this test policy only, and is not routable: the fetch fails
    // instead of reaching the local server through a second lookup.
    await expect(
      safeFetch(`http://rebind.test:${port}/`, { resolve, addressPolicy: () => undefined, timeoutMs: 1500 }),
    ).rejects.toThrow(/failed/);
    expect(calls).toBe(1);
    expect(hits).toBe(before);
  });
});

describe("exec environment", () => {
  it.each([
    "PATH",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "NODE_OPTIONS",
    "BASH_ENV",
    "ENV",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "GIT_SSH_COMMAND",
    "BASH_FUNC_ls%%",
    "ld_preload",
    "HOME",
    "IFS",
  ])("refuses %s", (name) => {
    expect(() => checkModelEnv({ [name]: "x" })).toThrow(/cannot be set by a tool call/);
  });
  it("accepts ordinary variables", () => {
    expect(checkModelEnv({ FOO: "bar", DEBUG: "1" })).toEqual({ FOO: "bar", DEBUG: "1" });
  });
});

describe("wrapper laundering", () => {
  const allow = ["ls", "git status"];
  it.each([
    ["sh -c 'rm -rf /'", false],
    ['bash -lc "ls; rm x"', false],
    ["env LD_PRELOAD=/tmp/x.so ls", false],
    ["time nice -n 5 nohup rm x", false],
    ["timeout 5 rm x", false],
    ["xargs rm", false],
    ["busybox rm -rf x", false],
    ["sudo ls", false],
    ["ls $(rm x)", false],
    ["ls `rm x`", false],
    ["cat <<EOF\nx\nEOF", false],
    ["ls | sh", false],
    ["ls && rm x", false],
    ["ls; rm x", false],
    ["./ls", false],
    ["cat /etc/shadow", false],
    ["cat ../../etc/shadow", false],
    ["echo hi > ~/.bashrc", false],
    ["find . -exec rm x ;", false],
    ["git status", true],
    ["env -i nice ls -la | wc -l", true],
    ["sh -c 'ls | grep x'", true],
    ["cat notes.txt", true],
  ])("%j -> allowlisted %s", (cmd, expected) => {
    const a = analyzeCommand(cmd);
    expect(a.ok && allowlistHit(a.commands, allow).hit).toBe(expected);
  });
});

describe("approval binding", () => {
  it("changed argv, cwd, env or script content gives a different binding", async () => {
    const jail = await makeJail(root);
    writeFileSync(join(root, "run.sh"), "echo one");
    const base = {
      agentId: "main",
      command: "sh run.sh",
      argv: ["/bin/sh", "-c", "sh run.sh"],
      cwd: root,
      env: { A: "1" },
      host: "host" as const,
      elevated: false,
      scripts: await hashScripts(jail, "", ["run.sh"]),
    };
    const h = bindingHash(base);
    expect(bindingHash({ ...base, argv: ["/bin/sh", "-c", "sh run.sh x"] })).not.toBe(h);
    expect(bindingHash({ ...base, cwd: `${root}/sub` })).not.toBe(h);
    expect(bindingHash({ ...base, env: { A: "2" } })).not.toBe(h);
    writeFileSync(join(root, "run.sh"), "echo two");
    expect(bindingHash({ ...base, scripts: await hashScripts(jail, "", ["run.sh"]) })).not.toBe(h);
  });

  it("allow-always is a standing approval of exactly one binding; pending approvals expire as denied", async () => {
    const store = openStore({ file: join(dir, "a.sqlite") });
    const approvals = new ExecApprovals({ store });
    const events: string[] = [];
    approvals.setEmitter((e) => events.push(e));
    const p = approvals.request({
      agentId: "main",
      sessionKey: "s",
      bindingHash: "a".repeat(64),
      request: { command: "x" },
      timeoutMs: 60_000,
    });
    const id = String(approvals.list()[0]?.id);
    approvals.resolve(id, "allow-always", "test");
    expect((await p).outcome).toBe("allow-always");
    expect(approvals.standing("main", "a".repeat(64))).toBeDefined();
    expect(approvals.standing("main", "b".repeat(64))).toBeUndefined();
    expect(approvals.standing("other", "a".repeat(64))).toBeUndefined();
    const q = await approvals.request({
      agentId: "main",
      sessionKey: "s",
      bindingHash: "c".repeat(64),
      request: { command: "y" },
      timeoutMs: 10,
    });
    expect(q.outcome).toBe("expired");
    expect(() => approvals.resolve(q.id, "allow-once", "late")).toThrow(/no pending approval/);
    expect(events).toEqual([
      "exec.approval.requested",
      "exec.approval.resolved",
      "exec.approval.requested",
      "exec.approval.resolved",
    ]);
    store.close();
  });
});
