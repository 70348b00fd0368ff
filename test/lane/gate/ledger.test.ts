import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIONS, GATE_REASONS } from "../../../src/lane/codec/documents.js";
import { openPglite } from "../../../src/lane/db/pglite.js";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import { FailclosedError } from "../../../src/kernel/errors.js";
import { LEDGER_SCHEMA_VERSION, openLedger } from "../../../src/lane/gate/ledger/ledger.js";
import type { AllowEntry, Ledger } from "../../../src/lane/gate/ledger/ledger.js";
import {
  DeadlockDetected,
  allow,
  consumedBy,
  faulty,
  grant,
  nonce,
  race,
  sameGrantsTimes,
  shareOneNonce,
  uniqueId,
} from "./ledger-fixtures.js";

// Every test here runs on PGlite: in memory, or in a temporary directory it deletes afterwards.
// None opens a connection to any server.

async function expectMigrationFailure(promise: Promise<unknown>, message: RegExp): Promise<FailclosedError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FailclosedError);
  const failure = error as FailclosedError;
  expect(failure.code).toBe("DATABASE_MIGRATION_FAILED");
  expect(failure.message).toMatch(message);
  return failure;
}

async function rowCount(db: SqlDatabase, table: "consumed_nonces" | "audit_log"): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM failclosed_gate.${table}`);
  return Number(rows[0]?.["n"]);
}

describe("ledger on PGlite (shared in-memory database)", () => {
  let db: SqlDatabase;
  let ledger: Ledger;

  beforeAll(async () => {
    db = await openPglite();
    ledger = await openLedger(db);
  });
  afterAll(async () => {
    await db.close();
  });

  describe("migrations", () => {
    it("are idempotent: opening again applies nothing twice", async () => {
      await openLedger(db);
      await openLedger(db);
      const { rows } = await db.query(
        "SELECT version FROM failclosed_gate.schema_migrations ORDER BY version",
      );
      expect(rows.map((r) => r["version"])).toEqual(
        Array.from({ length: LEDGER_SCHEMA_VERSION }, (_, i) => i + 1),
      );
    });

    it("spell the same vocabularies as the codec (actions, reason codes)", async () => {
      for (const action of ACTIONS) {
        expect(await ledger.recordRefusal({ verdict: "DENY", reasons: ["expired"], action })).toEqual({
          ok: true,
          value: undefined,
        });
      }
      for (const reason of GATE_REASONS) {
        expect((await ledger.recordRefusal({ verdict: "HOLD", reasons: [reason] })).ok).toBe(true);
      }
    });
  });

  describe("commitAllow", () => {
    it("consumes every nonce and appends one ALLOW entry", async () => {
      const grants = [grant(), grant()];
      const entry = allow(grants);
      expect(await ledger.commitAllow(entry)).toEqual({ ok: true, value: undefined });
      for (const g of grants) expect(await ledger.isConsumed(g.nonce)).toBe(true);
      expect(await consumedBy(db, entry.requestId)).toBe(2);
      const last = (await ledger.auditEntries(1))[0];
      expect(last).toMatchObject({
        verdict: "ALLOW",
        requestId: entry.requestId,
        packetId: entry.packetId,
        action: entry.action,
        permitId: entry.permitId,
        reasons: [],
      });
      expect(last?.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(last?.id).toMatch(/^[1-9][0-9]*$/);
    });

    it("refuses the same grants again as replayed, and records that DENY itself", async () => {
      const grants = [grant(), grant()];
      expect((await ledger.commitAllow(allow(grants))).ok).toBe(true);
      const before = await ledger.consumedCount();
      const again = allow(grants);
      expect(await ledger.commitAllow(again)).toEqual({ ok: false, error: "replayed" });
      expect(await ledger.consumedCount()).toBe(before);
      expect((await ledger.auditEntries(1))[0]).toMatchObject({
        verdict: "DENY",
        reasons: ["replayed"],
        requestId: again.requestId,
        permitId: null,
      });
    });

    it("refuses a consumed nonce under a new grant_id, and a consumed grant_id with a new nonce", async () => {
      const used = grant();
      expect((await ledger.commitAllow(allow([used]))).ok).toBe(true);
      const fresh = nonce();
      expect(await ledger.commitAllow(allow([{ grantId: uniqueId("grant"), nonce: used.nonce }]))).toEqual({
        ok: false,
        error: "replayed",
      });
      expect(await ledger.commitAllow(allow([{ grantId: used.grantId, nonce: fresh }, grant()]))).toEqual({
        ok: false,
        error: "replayed",
      });
      expect(await ledger.isConsumed(fresh)).toBe(false);
    });

    it("refuses one request carrying the same nonce twice, consuming nothing", async () => {
      const twice = nonce();
      const entry = allow([
        { grantId: uniqueId("grant"), nonce: twice },
        { grantId: uniqueId("grant"), nonce: twice },
      ]);
      expect(await ledger.commitAllow(entry)).toEqual({ ok: false, error: "replayed" });
      expect(await ledger.isConsumed(twice)).toBe(false);
    });

    it("lets exactly one of 64 concurrent requests with the same grants through", async () => {
      const { grants, entries } = sameGrantsTimes(64);
      const before = await ledger.consumedCount();
      expect(await race(ledger, entries)).toEqual({ ok: 1, replayed: 63, internalError: 0 });
      expect(await ledger.consumedCount()).toBe(before + 2);
      for (const g of grants) expect(await ledger.isConsumed(g.nonce)).toBe(true);
      const verdicts = (await ledger.auditEntries(64)).map((e) => e.verdict);
      expect(verdicts.filter((v) => v === "ALLOW")).toHaveLength(1);
      expect(verdicts.filter((v) => v === "DENY")).toHaveLength(63);
    });

    it("lets one of two requests sharing one nonce through; the loser consumes nothing", async () => {
      for (let round = 0; round < 5; round++) {
        expect(await shareOneNonce(ledger, db)).toEqual({
          winners: 1,
          loserError: "replayed",
          loserRows: 0,
          loserOwnNonceConsumed: false,
        });
      }
    });

    it("throws TypeError for fields that are not validated identifiers, without echoing them", async () => {
      const before = await rowCount(db, "audit_log");
      const secret = "postgres://admin:hunter2@db/prod";
      const bad: AllowEntry[] = [
        { ...allow([grant()]), requestId: secret },
        { ...allow([grant()]), packetId: "pkt-lowercase" },
        { ...allow([{ grantId: "g 1", nonce: nonce() }]) },
        { ...allow([{ grantId: "g1", nonce: "too-short" }]) },
        { ...allow([]) },
        { ...allow([grant()]), reasons: ["not_a_code" as never] },
        { ...allow([grant()]), action: "DROP_TABLE" as never },
      ];
      for (const entry of bad) {
        const error: unknown = await ledger.commitAllow(entry).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).not.toContain("hunter2");
      }
      await expect(
        ledger.recordRefusal({ verdict: "DENY", reasons: ["expired"], requestId: "a\nb" }),
      ).rejects.toThrow(TypeError);
      await expect(ledger.recordRefusal({ verdict: "HOLD", reasons: [] })).rejects.toThrow(TypeError);
      await expect(ledger.recordRefusal({ verdict: "ALLOW" as never, reasons: ["expired"] })).rejects.toThrow(
        /verdict is not HOLD or DENY/,
      );
      expect(await rowCount(db, "audit_log")).toBe(before);
    });
  });

  describe("fault injection", () => {
    it("rolls back the nonces when the transaction fails before the audit entry", async () => {
      const failing = await openLedger(db, {
        hooks: {
          afterNoncesInserted: () => Promise.reject(new Error("injected between nonces and audit")),
        },
      });
      const grants = [grant(), grant()];
      const entry = allow(grants);
      const before = await ledger.consumedCount();
      expect(await failing.commitAllow(entry)).toEqual({ ok: false, error: "internal_error" });
      expect(await ledger.consumedCount()).toBe(before);
      for (const g of grants) expect(await ledger.isConsumed(g.nonce)).toBe(false);
      expect((await ledger.auditEntries(1))[0]).toMatchObject({
        verdict: "DENY",
        reasons: ["internal_error"],
        requestId: entry.requestId,
      });
      // The grants were never used, so an intact gate may still honour them, once.
      expect(await ledger.commitAllow(allow(grants))).toEqual({ ok: true, value: undefined });
      expect(await ledger.commitAllow(allow(grants))).toEqual({ ok: false, error: "replayed" });
    });

    it("does not mistake another unique violation for a replay", async () => {
      class FakeUnique extends Error {
        readonly code = "23505";
        readonly constraint = "some_other_key";
      }
      const failing = await openLedger(db, {
        hooks: { afterNoncesInserted: () => Promise.reject(new FakeUnique("not ours")) },
      });
      expect(await failing.commitAllow(allow([grant()]))).toEqual({ ok: false, error: "internal_error" });
    });

    it("still answers internal_error when the DENY entry cannot be written either", async () => {
      const broken = faulty(db);
      const failing = await openLedger(broken.db, {
        hooks: { afterNoncesInserted: () => Promise.reject(new Error("injected")) },
      });
      const audits = await rowCount(db, "audit_log");
      const g = grant();
      broken.arm(/audit_log/);
      expect(await failing.commitAllow(allow([g]))).toEqual({ ok: false, error: "internal_error" });
      broken.arm(undefined);
      expect(await rowCount(db, "audit_log")).toBe(audits);
      expect(await ledger.isConsumed(g.nonce)).toBe(false);
    });

    it("runs a transaction the server aborted as a deadlock victim again, up to 3 attempts", async () => {
      const broken = faulty(db);
      const retrying = await openLedger(broken.db);
      const deadlock = { error: () => new DeadlockDetected("deadlock detected") };
      const once = allow([grant()]);
      broken.arm(/consumed_nonces/, { ...deadlock, times: 2 });
      expect(await retrying.commitAllow(once)).toEqual({ ok: true, value: undefined });
      expect(await consumedBy(db, once.requestId)).toBe(1);
      const always = allow([grant()]);
      broken.arm(/consumed_nonces/, deadlock);
      expect(await retrying.commitAllow(always)).toEqual({ ok: false, error: "internal_error" });
      broken.arm(undefined);
      expect(await consumedBy(db, always.requestId)).toBe(0);
    });

    it("answers internal_error when the nonce insert fails, and consumes nothing", async () => {
      const broken = faulty(db);
      const failing = await openLedger(broken.db);
      const g = grant();
      broken.arm(/consumed_nonces/);
      expect(await failing.commitAllow(allow([g]))).toEqual({ ok: false, error: "internal_error" });
      broken.arm(undefined);
      expect(await ledger.isConsumed(g.nonce)).toBe(false);
      expect((await ledger.auditEntries(1))[0]).toMatchObject({
        verdict: "DENY",
        reasons: ["internal_error"],
      });
    });
  });

  describe("recordRefusal", () => {
    it("appends HOLD and DENY entries and touches no nonce (G8)", async () => {
      const consumed = await ledger.consumedCount();
      const audits = await rowCount(db, "audit_log");
      const requestId = uniqueId("req");
      expect(await ledger.recordRefusal({ verdict: "HOLD", reasons: ["hold_default"], requestId })).toEqual({
        ok: true,
        value: undefined,
      });
      expect(
        await ledger.recordRefusal({
          verdict: "DENY",
          reasons: ["seal_invalid", "expired"],
          action: "REAL_RUN",
          packetId: "PKT-0002",
        }),
      ).toEqual({ ok: true, value: undefined });
      expect(await ledger.consumedCount()).toBe(consumed);
      expect(await rowCount(db, "audit_log")).toBe(audits + 2);
      const [hold, deny] = await ledger.auditEntries(2);
      expect(hold).toMatchObject({ verdict: "HOLD", reasons: ["hold_default"], requestId, permitId: null });
      expect(deny).toMatchObject({
        verdict: "DENY",
        reasons: ["seal_invalid", "expired"],
        requestId: null,
        action: "REAL_RUN",
        packetId: "PKT-0002",
        permitId: null,
      });
    });

    it("answers internal_error when the database fails", async () => {
      const broken = faulty(db);
      const refusing = await openLedger(broken.db);
      broken.arm(/./);
      expect(await refusing.recordRefusal({ verdict: "DENY", reasons: ["malformed_input"] })).toEqual({
        ok: false,
        error: "internal_error",
      });
      await expect(refusing.consumedCount()).rejects.toMatchObject({ code: "DATABASE_UNAVAILABLE" });
      broken.arm(undefined);
    });
  });

  describe("the database itself enforces", () => {
    it("an append-only audit log: UPDATE, DELETE and TRUNCATE raise", async () => {
      const audits = await rowCount(db, "audit_log");
      await expect(db.query("UPDATE failclosed_gate.audit_log SET verdict = 'ALLOW'")).rejects.toThrow(
        /append-only/,
      );
      await expect(db.query("DELETE FROM failclosed_gate.audit_log")).rejects.toThrow(/append-only/);
      await expect(db.query("TRUNCATE failclosed_gate.audit_log")).rejects.toThrow(/append-only/);
      expect(await rowCount(db, "audit_log")).toBe(audits);
    });

    it("consumed nonces that stay consumed: UPDATE, DELETE and TRUNCATE raise", async () => {
      const consumed = await rowCount(db, "consumed_nonces");
      expect(consumed).toBeGreaterThan(0);
      await expect(db.query("DELETE FROM failclosed_gate.consumed_nonces")).rejects.toThrow(/append-only/);
      await expect(
        db.query("UPDATE failclosed_gate.consumed_nonces SET nonce = nonce || 'x'"),
      ).rejects.toThrow(/append-only/);
      await expect(db.query("TRUNCATE failclosed_gate.consumed_nonces")).rejects.toThrow(/append-only/);
      expect(await rowCount(db, "consumed_nonces")).toBe(consumed);
    });

    it("identifiers and fixed codes only, and no permit on a refusal", async () => {
      const insert = (columns: string, values: string): Promise<unknown> =>
        db.query(`INSERT INTO failclosed_gate.audit_log (${columns}) VALUES (${values})`);
      await expect(
        insert("verdict, reasons, request_id", "'DENY', '{expired}', 'has space'"),
      ).rejects.toThrow(/audit_log_request_id_check/);
      await expect(insert("verdict, reasons", "'DENY', '{free text}'")).rejects.toThrow(
        /audit_log_reasons_check/,
      );
      await expect(insert("verdict, reasons", "'DENY', '{}'")).rejects.toThrow(/audit_log_reasons_check/);
      await expect(insert("verdict, reasons", "'DENY', '{expired,NULL}'")).rejects.toThrow(
        /audit_log_reasons_check/,
      );
      await expect(insert("verdict, reasons, permit_id", "'DENY', '{expired}', 'permit-1'")).rejects.toThrow(
        /audit_log_permit_only_on_allow/,
      );
      await expect(insert("verdict, reasons", "'MAYBE', '{expired}'")).rejects.toThrow(
        /audit_log_verdict_check/,
      );
      await expect(
        db.query(
          `INSERT INTO failclosed_gate.consumed_nonces (grant_id, nonce, packet_id, action, request_id)
           VALUES ('g-1', 'not a nonce', 'PKT-1', 'CUTOVER', 'r-1')`,
        ),
      ).rejects.toThrow(/consumed_nonces_nonce_check/);
    });
  });

  it("auditEntries returns the newest entries, oldest first", async () => {
    const ids = [uniqueId("req"), uniqueId("req"), uniqueId("req")];
    for (const requestId of ids)
      await ledger.recordRefusal({ verdict: "DENY", reasons: ["expired"], requestId });
    const entries = await ledger.auditEntries(3);
    expect(entries.map((e) => e.requestId)).toEqual(ids);
    expect(BigInt(entries[0]!.id) < BigInt(entries[2]!.id)).toBe(true);
    await expect(ledger.auditEntries(0)).rejects.toThrow(TypeError);
  });
});

describe("ledger migrations on PGlite (fresh databases)", () => {
  it("refuses a schema newer than this code, and a version history with gaps", async () => {
    const db = await openPglite();
    try {
      await openLedger(db);
      const next = LEDGER_SCHEMA_VERSION + 1;
      await db.query(
        "INSERT INTO failclosed_gate.schema_migrations (version, description) VALUES ($1, 'future')",
        [next],
      );
      await expectMigrationFailure(
        openLedger(db),
        new RegExp(`version ${next}, newer than .*\\(${LEDGER_SCHEMA_VERSION}\\)`),
      );
      await db.query(
        "INSERT INTO failclosed_gate.schema_migrations (version, description) VALUES ($1, 'gap')",
        [next + 2],
      );
      await expectMigrationFailure(openLedger(db), /gaps/);
      // A refused start leaves no transaction open behind it.
      expect((await db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it("refuses a foreign schema of the same name and leaves it as it was", async () => {
    const db = await openPglite();
    try {
      await db.exec("CREATE SCHEMA failclosed_gate; CREATE TABLE failclosed_gate.consumed_nonces (x int)");
      const failure = await expectMigrationFailure(openLedger(db), /SQLSTATE 42P07/);
      expect(failure.cause).toBeDefined();
      const { rows } = await db.query(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'failclosed_gate' ORDER BY 1",
      );
      // The bootstrap of schema_migrations was rolled back with the failed migration.
      expect(rows).toEqual([{ tablename: "consumed_nonces" }]);
    } finally {
      await db.close();
    }
  });

  it("persists consumed nonces and the audit log across a reopen of the data directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "failclosed-ledger-"));
    try {
      const grants = [grant(), grant()];
      const entry = allow(grants);
      const first = await openPglite(dir);
      try {
        const ledger = await openLedger(first);
        expect((await ledger.commitAllow(entry)).ok).toBe(true);
        expect((await ledger.recordRefusal({ verdict: "HOLD", reasons: ["hold_default"] })).ok).toBe(true);
      } finally {
        await first.close();
      }
      const second = await openPglite(dir);
      try {
        const ledger = await openLedger(second);
        for (const g of grants) expect(await ledger.isConsumed(g.nonce)).toBe(true);
        expect(await ledger.consumedCount()).toBe(2);
        expect((await ledger.auditEntries()).map((e) => e.verdict)).toEqual(["ALLOW", "HOLD"]);
        expect(await ledger.commitAllow(allow(grants))).toEqual({ ok: false, error: "replayed" });
        const { rows } = await second.query(
          "SELECT count(*)::int AS n FROM failclosed_gate.schema_migrations",
        );
        expect(rows[0]?.["n"]).toBe(LEDGER_SCHEMA_VERSION);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
