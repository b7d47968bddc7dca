import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configHash, setConfigText, writeConfigFileAtomic } from "./index.js";

describe("writeConfigFileAtomic", () => {
  it("writes 0600, keeps comments through an edit and leaves no temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pal-w-"));
    const file = join(dir, "palisade.json");
    const original = "// my notes\n{\n  gateway: { port: 1 }, // keep me\n}\n";
    writeFileSync(file, original, { mode: 0o644 });
    await writeConfigFileAtomic(file, setConfigText(original, "gateway.port", 2));
    const text = readFileSync(file, "utf8");
    expect(text).toBe(original.replace("port: 1", "port: 2"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["palisade.json"]);
  });

  it("creates a missing state dir 0700", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "pal-w-")), "state");
    await writeConfigFileAtomic(join(dir, "palisade.json"), "{}\n");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "palisade.json")).mode & 0o777).toBe(0o600);
  });

  it("refuses to overwrite a file changed since it was read (baseHash)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pal-w-"));
    const file = join(dir, "palisade.json");
    writeFileSync(file, "{ a: 1 }");
    const base = configHash("{ a: 1 }");
    writeFileSync(file, "{ a: 2 }");
    await expect(writeConfigFileAtomic(file, "{ a: 3 }", { baseHash: base })).rejects.toMatchObject({
      code: "PAL_CONFIG_CONFLICT",
    });
    expect(readFileSync(file, "utf8")).toBe("{ a: 2 }");
    await writeConfigFileAtomic(file, "{ a: 3 }", { baseHash: configHash("{ a: 2 }") });
    expect(readFileSync(file, "utf8")).toBe("{ a: 3 }");
  });

  it("hashes the file bytes with sha256", () => {
    expect(configHash("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(configHash(Buffer.from("{}"))).toBe(configHash("{}"));
  });
});
