import { describe, expect, it } from "vitest";
import { bwrapCommand } from "./bwrap/args.js";
import { CappedBuffer } from "./output.js";
import { resolveSandboxSettings } from "./policy.js";

describe("CappedBuffer", () => {
  it("keeps exactly the cap, streams only kept bytes and flags the overflow", () => {
    const seen: Buffer[] = [];
    const b = new CappedBuffer(5, (c) => seen.push(c));
    expect(b.push(Buffer.from("abc"))).toBe(true);
    expect(b.push(Buffer.from("defg"))).toBe(false);
    expect(b.text()).toBe("abcde");
    expect(Buffer.concat(seen).toString()).toBe("abcde");
    expect(b.overflowed).toBe(true);
  });
});

describe("bwrapCommand", () => {
  const policy = resolveSandboxSettings(
    { workspaceAccess: "ro" },
    { agentWorkspace: "/srv/ws", defaultWorkspaceRoot: "/srv/sb", processUid: 0 },
  ).policy;
  const run = {
    policy,
    workspaceDir: "/srv/ws",
    workspaceReadOnly: true,
    argv: ["true"],
    cwd: "/workspace",
    env: {},
  };

  it("as root: no network, limits, privileges dropped by setpriv before the command", () => {
    const cmd = bwrapCommand({ ...run, mode: "root" });
    expect(cmd.slice(0, 2)).toEqual(["prlimit", "--nproc=256"]);
    expect(cmd).toContain("--unshare-net");
    expect(cmd).toContain("--die-with-parent");
    const i = cmd.indexOf("/srv/ws");
    expect(cmd[i - 1]).toBe("--ro-bind");
    const sp = cmd.indexOf("/usr/bin/setpriv");
    expect(cmd.slice(sp)).toEqual(
      expect.arrayContaining(["--reuid=1000", "--bounding-set=-all", "--no-new-privs"]),
    );
    expect(cmd.at(-1)).toBe("true");
    expect(cmd.filter((a) => a === "/etc" || a === "/root" || a === "/home")).toEqual([]);
  });

  it("unprivileged: a user namespace with every capability dropped", () => {
    const cmd = bwrapCommand({ ...run, mode: "userns" });
    expect(cmd).toEqual(expect.arrayContaining(["--unshare-all", "--cap-drop", "ALL", "--disable-userns"]));
    expect(cmd).not.toContain("/usr/bin/setpriv");
  });
});
