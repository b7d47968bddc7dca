import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createKv, type KvStore, openStore, type Store } from "./index.js";

let dir: string;
let store: Store;
let kv: KvStore;
const Obj = z.object({ n: z.number() });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pal-kv-"));
  store = openStore({ file: join(dir, "s.sqlite") });
  kv = createKv(store, { now: () => 1000 });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("kv", () => {
  it("sets, gets, replaces and deletes JSON values", () => {
    expect(kv.get("a", Obj)).toBeUndefined();
    kv.set("a", { n: 1 });
    expect(kv.get("a", Obj)).toEqual({ n: 1 });
    kv.set("a", { n: 2 });
    expect(kv.get("a", Obj)).toEqual({ n: 2 });
    expect(kv.delete("a")).toBe(true);
    expect(kv.delete("a")).toBe(false);
    expect(kv.get("a", Obj)).toBeUndefined();
  });

  it("records updated_at from the injected clock", () => {
    kv.set("a", 1);
    expect(store.statement("SELECT updated_at AS t FROM kv WHERE key = ?").get("a")).toEqual({ t: 1000 });
  });

  it("validates values on read with the caller's schema", () => {
    kv.set("a", { n: "not a number" });
    expect(() => kv.get("a", Obj)).toThrow(
      expect.objectContaining({ code: "PAL_STORE_BAD_ROW", message: expect.stringContaining("n:") }),
    );
  });

  it("lists by prefix in key order, treating LIKE/GLOB characters literally", () => {
    for (const k of ["p:b", "p:a", "q:a", "p%x", "p_", "p:c"]) kv.set(k, { n: k.length });
    expect(kv.list("p:", Obj).map((e) => e.key)).toEqual(["p:a", "p:b", "p:c"]);
    expect(kv.list("p%", Obj).map((e) => e.key)).toEqual(["p%x"]);
    expect(kv.list("p", Obj, { limit: 2 }).map((e) => e.key)).toEqual(["p%x", "p:a"]);
    expect(kv.list("", Obj)).toHaveLength(6);
    expect(() => kv.list("p", Obj, { limit: 0 })).toThrow(
      expect.objectContaining({ code: "PAL_STORE_MISUSE" }),
    );
  });

  it("refuses bad keys and values that are not JSON or too large", () => {
    expect(() => kv.set("", 1)).toThrow(expect.objectContaining({ code: "PAL_STORE_VALUE_INVALID" }));
    expect(() => kv.set("k".repeat(513), 1)).toThrow(
      expect.objectContaining({ code: "PAL_STORE_VALUE_INVALID" }),
    );
    expect(() => kv.set("a", undefined)).toThrow(
      expect.objectContaining({ code: "PAL_STORE_VALUE_INVALID" }),
    );
    expect(() => kv.set("a", 1n)).toThrow(expect.objectContaining({ code: "PAL_STORE_VALUE_INVALID" }));
    expect(() => kv.set("a", "x".repeat(1024 * 1024 + 1))).toThrow(
      expect.objectContaining({ code: "PAL_STORE_VALUE_INVALID" }),
    );
  });

  it("takes part in an enclosing transaction", () => {
    expect(() =>
      store.transaction(() => {
        kv.set("a", 1);
        throw new Error("undo");
      }),
    ).toThrow("undo");
    expect(kv.get("a", z.number())).toBeUndefined();
  });
});
