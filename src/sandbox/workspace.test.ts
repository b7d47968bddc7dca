import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readWorkspaceFile, resolveInWorkspace } from "./workspace.js";

describe("resolveInWorkspace", () => {
  it("never resolves outside the root, whatever the path (property)", async () => {
    const root = await mkdtemp("/var/tmp/palisade-ws-prop-");
    await mkdir(join(root, "a/b"), { recursive: true });
    await symlink("/etc", join(root, "a/out"));
    const seg = fc.constantFrom("a", "b", "..", ".", "out", "", "/", "workspace", "x/../..", "%2e%2e");
    await fc.assert(
      fc.asyncProperty(fc.array(seg, { maxLength: 6 }), fc.boolean(), async (parts, abs) => {
        const p = (abs ? "/" : "") + parts.join("/");
        try {
          const got = await resolveInWorkspace(root, p);
          expect(got.startsWith(`${root}/`)).toBe(true);
          expect(got === join(root, "a/out") || got.startsWith(`${join(root, "a/out")}/`)).toBe(false);
        } catch (err) {
          expect(err).toMatchObject({ code: "PAL_SANDBOX_PATH_REFUSED" });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("accepts /workspace/... and plain relative paths, refuses other absolute paths", async () => {
    const root = await mkdtemp("/var/tmp/palisade-ws-abs-");
    await writeFile(join(root, "f.txt"), "x");
    expect(await resolveInWorkspace(root, "/workspace/f.txt")).toBe(join(root, "f.txt"));
    expect(await resolveInWorkspace(root, "f.txt")).toBe(join(root, "f.txt"));
    await expect(resolveInWorkspace(root, "/etc/passwd")).rejects.toMatchObject({
      code: "PAL_SANDBOX_PATH_REFUSED",
    });
    await expect(resolveInWorkspace(root, "/workspacex/f")).rejects.toMatchObject({
      code: "PAL_SANDBOX_PATH_REFUSED",
    });
  });

  it("reads at most maxBytes", async () => {
    const root = await mkdtemp("/var/tmp/palisade-ws-cap-");
    await writeFile(join(root, "big"), "0123456789");
    expect((await readWorkspaceFile(root, "big", 4)).toString()).toBe("0123");
  });
});
