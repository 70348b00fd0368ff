import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../../src/lane/db/postgres.js";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import { FailclosedError } from "../../../src/kernel/errors.js";
import { LEDGER_SCHEMA_VERSION, openLedger } from "../../../src/lane/gate/ledger/ledger.js";
import type { Ledger } from "../../../src/lane/gate/ledger/ledger.js";
import {
  REAL_SERVER_SKIP_REASON,
  adminQuery,
  createScratchDatabase,
  createScratchRole,
  hasRealServer,
  urlForDatabase,
} from "../../support/real-postgres.js";
import { allow, grant, race, sameGrantsTimes, shareOneNonce } from "./ledger-fixtures.js";

// Every database and role used here is a scratch one this file creates and drops. The admin
// connection only creates and drops them, and is checked to have gained no ledger schema.

type Scratch = Awaited<ReturnType<typeof createScratchDatabase>>;

async function migrationFailure(promise: Promise<unknown>): Promise<FailclosedError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FailclosedError);
  expect((error as FailclosedError).code).toBe("DATABASE_MIGRATION_FAILED");
  return error as FailclosedError;
}

async function adminHasLedgerSchema(): Promise<boolean> {
  const { rows } = await adminQuery(
    "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'failclosed_gate'",
  );
  return rows.length > 0;
}

describe.skipIf(!hasRealServer())(
  `ledger on a real PostgreSQL server${hasRealServer() ? "" : ` (${REAL_SERVER_SKIP_REASON})`}`,
  () => {
    const scratches: Scratch[] = [];
    const pools: SqlDatabase[] = [];
    const roles: Array<{ drop: () => Promise<void> }> = [];
    let adminHadSchema: boolean;
    let db: SqlDatabase;
    let ledger: Ledger;

    async function scratch(): Promise<Scratch> {
      const created = await createScratchDatabase("fc_ledger");
      scratches.push(created);
      return created;
    }
    async function pool(url: string, max = 10): Promise<SqlDatabase> {
      const opened = await openPostgres(url, { max });
      pools.push(opened);
      return opened;
    }

    beforeAll(async () => {
      adminHadSchema = await adminHasLedgerSchema();
      db = await pool((await scratch()).url);
      ledger = await openLedger(db);
    });

    afterAll(async () => {
      for (const p of pools) await p.close().catch(() => undefined);
      for (const s of scratches) await s.drop();
      for (const r of roles) await r.drop();
      const names = scratches.map((s) => s.name);
      const { rows } = await adminQuery("SELECT datname FROM pg_catalog.pg_database");
      expect(rows.map((r: { datname: string }) => r.datname).filter((n) => names.includes(n))).toEqual([]);
      expect(await adminHasLedgerSchema()).toBe(adminHadSchema);
    });

    it("lets exactly one of 64 concurrent requests with the same grants through (pool of 10)", async () => {
      const { grants, entries } = sameGrantsTimes(64);
      expect(await race(ledger, entries)).toEqual({ ok: 1, replayed: 63, internalError: 0 });
      for (const g of grants) expect(await ledger.isConsumed(g.nonce)).toBe(true);
      const verdicts = (await ledger.auditEntries(64)).map((e) => e.verdict);
      expect(verdicts.filter((v) => v === "ALLOW")).toHaveLength(1);
      expect(verdicts.filter((v) => v === "DENY")).toHaveLength(63);
    });

    it("lets one of two concurrent requests sharing one nonce through; the loser consumes nothing", async () => {
      for (let round = 0; round < 20; round++) {
        expect(await shareOneNonce(ledger, db)).toEqual({
          winners: 1,
          loserError: "replayed",
          loserRows: 0,
          loserOwnNonceConsumed: false,
        });
      }
    });

    it("rolls back the nonces when the transaction fails before the audit entry", async () => {
      const failing = await openLedger(db, {
        hooks: { afterNoncesInserted: () => Promise.reject(new Error("injected")) },
      });
      const grants = [grant(), grant()];
      const before = await ledger.consumedCount();
      expect(await failing.commitAllow(allow(grants))).toEqual({ ok: false, error: "internal_error" });
      expect(await ledger.consumedCount()).toBe(before);
      for (const g of grants) expect(await ledger.isConsumed(g.nonce)).toBe(false);
      expect((await ledger.auditEntries(1))[0]).toMatchObject({
        verdict: "DENY",
        reasons: ["internal_error"],
      });
      expect((await ledger.commitAllow(allow(grants))).ok).toBe(true);
    });

    it("records a refusal without touching nonces", async () => {
      const before = await ledger.consumedCount();
      expect(
        await ledger.recordRefusal({ verdict: "DENY", reasons: ["blocker_open"], packetId: "PKT-0003" }),
      ).toEqual({
        ok: true,
        value: undefined,
      });
      expect(await ledger.consumedCount()).toBe(before);
      expect((await ledger.auditEntries(1))[0]).toMatchObject({ verdict: "DENY", reasons: ["blocker_open"] });
    });

    it("keeps the audit log and consumed nonces append-only, even for a superuser's plain DML", async () => {
      for (const table of ["audit_log", "consumed_nonces"]) {
        await expect(db.query(`DELETE FROM failclosed_gate.${table}`)).rejects.toThrow(/append-only/);
        await expect(db.query(`UPDATE failclosed_gate.${table} SET request_id = request_id`)).rejects.toThrow(
          /append-only/,
        );
        await expect(db.query(`TRUNCATE failclosed_gate.${table}`)).rejects.toThrow(/append-only/);
      }
    });

    it("migrates once when two gates start at the same time", async () => {
      const { url } = await scratch();
      const [a, b] = [await pool(url, 2), await pool(url, 2)];
      await Promise.all([openLedger(a), openLedger(b), openLedger(a), openLedger(b)]);
      const { rows } = await a.query(
        "SELECT version FROM failclosed_gate.schema_migrations ORDER BY version",
      );
      expect(rows.map((r) => r["version"])).toEqual(
        Array.from({ length: LEDGER_SCHEMA_VERSION }, (_, i) => i + 1),
      );
    });

    it("refuses a newer schema version without naming the connection", async () => {
      const { url } = await scratch();
      const fresh = await pool(url, 2);
      await openLedger(fresh);
      await fresh.query(
        "INSERT INTO failclosed_gate.schema_migrations (version, description) VALUES ($1, 'future')",
        [LEDGER_SCHEMA_VERSION + 1],
      );
      const failure = await migrationFailure(openLedger(fresh));
      expect(failure.message).toMatch(/newer than this failclosed knows/);
      expect(failure.message).not.toContain(url);
      expect(failure.message).not.toContain("127.0.0.1");
    });

    it("fails with DATABASE_MIGRATION_FAILED when the role may not create the schema", async () => {
      const { name, url } = await scratch();
      const role = await createScratchRole();
      roles.push(role);
      const roleUrl = urlForDatabase(name, role.name);
      const weak = await pool(roleUrl, 2);
      const failure = await migrationFailure(openLedger(weak));
      expect(failure.message).toMatch(/SQLSTATE 42501: permission denied/);
      for (const secret of [roleUrl, url, "127.0.0.1", "postgres://"])
        expect(failure.message).not.toContain(secret);
    });

    it("starts with least privilege against a schema an administrator migrated", async () => {
      const { name, url } = await scratch();
      const owner = await pool(url, 2);
      await openLedger(owner);
      const role = await createScratchRole();
      roles.push(role);
      await owner.exec(`
      GRANT USAGE ON SCHEMA failclosed_gate TO "${role.name}";
      GRANT SELECT ON failclosed_gate.schema_migrations TO "${role.name}";
      GRANT SELECT, INSERT ON failclosed_gate.consumed_nonces, failclosed_gate.audit_log TO "${role.name}";`);
      const gate = await openLedger(await pool(urlForDatabase(name, role.name), 2));
      const grants = [grant(), grant()];
      expect((await gate.commitAllow(allow(grants))).ok).toBe(true);
      expect(await gate.commitAllow(allow(grants))).toEqual({ ok: false, error: "replayed" });
      expect((await gate.recordRefusal({ verdict: "HOLD", reasons: ["hold_default"] })).ok).toBe(true);
    });
  },
);
