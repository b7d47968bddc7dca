import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  appendAudit,
  createConfigAudit,
  listAudit,
  openStore,
  type Store,
  verifyAudit,
} from "../src/store/index.js";

const SECRET = "sk-test-0123456789abcdefghijklmnop";

function freshStore(): Store {
  return openStore({ file: join(mkdtempSync(join(tmpdir(), "pal-audit-")), "state.sqlite") });
}

function fill(store: Store, n: number): void {
  for (let i = 0; i < n; i++)
    appendAudit(
      store,
      {
        type: i % 2 ? "auth.failed" : "config.write",
        actor: `ip:127.0.0.${i}`,
        subject: `s${i}`,
        detail: { i },
      },
      { now: () => 1_700_000_000_000 + i },
    );
}

/** Raw tampering as an attacker with file access would do it: drop the guards first. */
function tamper(store: Store, sql: string, ...params: Array<string | number>): void {
  store.db.exec("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;");
  store.db.prepare(sql).run(...params);
}

describe("audit log hash chain", () => {
  it("appends linked records and verifies an untouched chain", () => {
    const store = freshStore();
    fill(store, 5);
    const recs = listAudit(store, { limit: 10 });
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(recs[0]?.prevHash).toBe("0".repeat(64));
    for (let i = 1; i < recs.length; i++) expect(recs[i]?.prevHash).toBe(recs[i - 1]?.hash);
    expect(verifyAudit(store)).toMatchObject({ ok: true, count: 5 });
  });

  it("refuses UPDATE and DELETE through SQL (append-only triggers)", () => {
    const store = freshStore();
    fill(store, 2);
    expect(() => store.db.exec("UPDATE audit_log SET actor = 'x' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => store.db.exec("DELETE FROM audit_log WHERE seq = 2")).toThrow(/append-only/);
  });

  it("redacts secrets in detail, subject and actor before storing", () => {
    const store = freshStore();
    appendAudit(store, {
      type: "auth.failed",
      actor: `ip:1.2.3.4 ${SECRET}`,
      subject: `Bearer ${SECRET}`,
      detail: { token: "plain-secret-value", note: `key ${SECRET}`, nested: { apiKey: "abcdefgh12345" } },
    });
    const raw = JSON.stringify(store.db.prepare("SELECT * FROM audit_log").all());
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain("plain-secret-value");
    expect(raw).not.toContain("abcdefgh12345");
    expect(verifyAudit(store).ok).toBe(true);
  });

  it("detects an edit, naming the seq", () => {
    const store = freshStore();
    fill(store, 6);
    tamper(store, "UPDATE audit_log SET detail = ? WHERE seq = 3", '{"i":99}');
    expect(verifyAudit(store)).toMatchObject({ ok: false, badSeq: 3 });
  });

  it("detects a deletion in the middle and at the end", () => {
    const a = freshStore();
    fill(a, 6);
    tamper(a, "DELETE FROM audit_log WHERE seq = 4");
    expect(verifyAudit(a)).toMatchObject({ ok: false, badSeq: 4 });
    const b = freshStore();
    fill(b, 6);
    tamper(b, "DELETE FROM audit_log WHERE seq = 6");
    expect(verifyAudit(b)).toMatchObject({ ok: false, badSeq: 6 });
  });

  it("detects reordering (two records swapped)", () => {
    const store = freshStore();
    fill(store, 6);
    tamper(store, "UPDATE audit_log SET seq = 100002 WHERE seq = 2");
    tamper(store, "UPDATE audit_log SET seq = 2 WHERE seq = 5");
    tamper(store, "UPDATE audit_log SET seq = 5 WHERE seq = 100002");
    expect(verifyAudit(store)).toMatchObject({ ok: false, badSeq: 2 });
  });

  it("property: any single mutation of any field of any record is detected", () => {
    const fields = [
      "ts",
      "type",
      "actor",
      "subject",
      "severity",
      "detail",
      "prev_hash",
      "hash",
      "delete",
      "swap",
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.nat(),
        fc.constantFrom(...fields),
        fc.nat(),
        (n, pick, field, other) => {
          const store = freshStore();
          try {
            fill(store, n);
            const seq = (pick % n) + 1;
            if (field === "delete") tamper(store, "DELETE FROM audit_log WHERE seq = ?", seq);
            else if (field === "swap") {
              const b = (other % n) + 1 === seq ? (seq % n) + 1 : (other % n) + 1;
              tamper(store, "UPDATE audit_log SET seq = 100001 WHERE seq = ?", seq);
              tamper(store, "UPDATE audit_log SET seq = ? WHERE seq = ?", seq, b);
              tamper(store, "UPDATE audit_log SET seq = ? WHERE seq = 100001", b);
            } else if (field === "ts") tamper(store, "UPDATE audit_log SET ts = ts + 1 WHERE seq = ?", seq);
            else if (field === "detail")
              tamper(store, `UPDATE audit_log SET detail = '{"x":1}' WHERE seq = ?`, seq);
            else if (field === "severity")
              tamper(
                store,
                "UPDATE audit_log SET severity = CASE severity WHEN 'info' THEN 'warn' ELSE 'info' END WHERE seq = ?",
                seq,
              );
            else if (field === "prev_hash" || field === "hash")
              tamper(store, `UPDATE audit_log SET ${field} = ? WHERE seq = ?`, "f".repeat(64), seq);
            else tamper(store, `UPDATE audit_log SET ${field} = ${field} || 'x' WHERE seq = ?`, seq);
            const r = verifyAudit(store);
            expect(r.ok).toBe(false);
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("records config writes in the chain (createConfigAudit is a view of config.write events)", () => {
    const store = freshStore();
    const audit = createConfigAudit(store);
    const actor = { connId: "c1", transport: "ws", clientAddress: "127.0.0.1", deviceId: "dev1" };
    const seq = audit.record({
      ts: 5,
      method: "config.patch",
      actor,
      baseHash: "a",
      newHash: "b",
      paths: ["gateway.port"],
    });
    expect(seq).toBe(1);
    expect(audit.recent()).toEqual([
      { id: 1, ts: 5, method: "config.patch", actor, baseHash: "a", newHash: "b", paths: ["gateway.port"] },
    ]);
    expect(listAudit(store)[0]).toMatchObject({ type: "config.write", actor: "device:dev1" });
    expect(verifyAudit(store).ok).toBe(true);
  });
});
