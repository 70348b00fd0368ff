/**
 * A ledger with an identity (issue #13): created only by identifyLedger (ledger init, or an
 * unpinned first run that announces it), append-only, and a gate pinned to an id refuses an empty
 * database, an unidentified ledger and any other ledger without creating anything.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isFailclosedError } from "../../../src/kernel/errors.js";
import { openDatabase } from "../../../src/lane/db/open.js";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import { establishLedger, findLedger, identifyLedger } from "../../../src/lane/gate/ledger/identity.js";
import { openLedger } from "../../../src/lane/gate/ledger/ledger.js";
import { openGateService } from "../../../src/lane/server/gate-service.js";
import {
  createScratchDatabase,
  createScratchRole,
  hasRealServer,
  REAL_SERVER_SKIP_REASON,
  urlForDatabase,
} from "../../support/real-postgres.js";
import { makeTestKeys } from "../../support/gate-fixtures.js";

const opened: SqlDatabase[] = [];
async function fresh(): Promise<SqlDatabase> {
  const db = await openDatabase({ engine: "pglite" });
  opened.push(db);
  return db;
}
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function unknownLedger(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isFailclosedError(error) && error.code === "LEDGER_UNKNOWN") return error.message;
    throw error;
  }
  throw new Error("the ledger was accepted");
}

async function hasLedgerSchema(db: SqlDatabase): Promise<boolean> {
  const { rows } = await db.query(
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'failclosed_gate') AS e",
  );
  return rows[0]?.["e"] === true;
}

describe("ledger identity", () => {
  it("a pinned gate refuses an empty database and creates nothing in it", async () => {
    const db = await fresh();
    expect(await findLedger(db)).toStrictEqual({ state: "empty" });
    expect(await unknownLedger(establishLedger(db, "ledger-0000000000000000"))).toContain(
      "holds no gate ledger",
    );
    expect(await hasLedgerSchema(db)).toBe(false);
  });

  it("identifyLedger creates one id with its creation time; later calls find the same", async () => {
    const db = await fresh();
    const made = await identifyLedger(db);
    expect(made.origin).toBe("created");
    expect(made.ledgerId).toMatch(/^ledger-[0-9a-f]{16}$/);
    expect(made.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await identifyLedger(db)).toStrictEqual({ ...made, origin: "existing" });
    expect(await establishLedger(db, made.ledgerId)).toStrictEqual({ ...made, origin: "existing" });
    // Unpinned, an identified ledger is simply opened (must stay quiet).
    expect(await establishLedger(db, undefined)).toStrictEqual({ ...made, origin: "existing" });
  });

  it("a pinned gate refuses another ledger, naming both ids", async () => {
    const db = await fresh();
    const made = await identifyLedger(db);
    const message = await unknownLedger(establishLedger(db, "ledger-ffffffffffffffff"));
    expect(message).toContain("expected ledger ledger-ffffffffffffffff");
    expect(message).toContain(`holds ledger ${made.ledgerId}`);
  });

  it("a ledger made before identities is refused when pinned, and adopted (announced) when not", async () => {
    const db = await fresh();
    await openLedger(db); // migrates, including the identity table, but writes no id
    // It has decided something: a refusal in its audit log.
    await db.exec(
      "INSERT INTO failclosed_gate.audit_log (verdict, reasons) VALUES ('DENY', ARRAY['malformed_input'])",
    );
    expect(await findLedger(db)).toStrictEqual({ state: "unidentified" });
    expect(await unknownLedger(establishLedger(db, "ledger-0000000000000000"))).toContain("without an id");
    const adopted = await establishLedger(db, undefined);
    expect(adopted.origin).toBe("adopted");
  });

  it("a ledger found half-built by another start (tables, no id, nothing decided) is announced as created", async () => {
    // What a gate sees when it starts while another is between its migrations and its insert:
    // if its insert wins, it is the one start that announces, and the ledger is new and empty.
    const db = await fresh();
    await openLedger(db);
    expect(await findLedger(db)).toStrictEqual({ state: "unidentified" });
    expect((await identifyLedger(db)).origin).toBe("created");
    expect((await identifyLedger(db)).origin).toBe("existing");
  });

  it("the identity is append-only: it cannot be changed or removed", async () => {
    const db = await fresh();
    const made = await identifyLedger(db);
    await expect(
      db.exec("UPDATE failclosed_gate.ledger_identity SET ledger_id = 'ledger-x'"),
    ).rejects.toThrow(/append-only/);
    await expect(db.exec("DELETE FROM failclosed_gate.ledger_identity")).rejects.toThrow(/append-only/);
    await expect(db.exec("TRUNCATE failclosed_gate.ledger_identity")).rejects.toThrow(/append-only/);
    await expect(
      db.exec("INSERT INTO failclosed_gate.ledger_identity (ledger_id) VALUES ('ledger-second')"),
    ).rejects.toThrow();
    expect(await findLedger(db)).toStrictEqual({
      state: "identified",
      ledgerId: made.ledgerId,
      createdAt: made.createdAt,
    });
  });
});

describe.skipIf(!hasRealServer())(
  `ledger identity with a least-privileged gate role${hasRealServer() ? "" : ` (skipped: ${REAL_SERVER_SKIP_REASON})`}`,
  () => {
    it("a pinned gate reads the identity with SELECT on ledger_identity, and says which grant is missing without it", async () => {
      const scratch = await createScratchDatabase("fc_ledger_id");
      const role = await createScratchRole();
      try {
        const owner = await openDatabase({ engine: "postgres", url: scratch.url });
        opened.push(owner);
        const made = await identifyLedger(owner);
        await owner.exec(`
          GRANT USAGE ON SCHEMA failclosed_gate TO "${role.name}";
          GRANT SELECT ON failclosed_gate.schema_migrations TO "${role.name}";
          GRANT SELECT, INSERT ON failclosed_gate.consumed_nonces, failclosed_gate.audit_log TO "${role.name}";`);
        const keys = await makeTestKeys();
        const options = {
          keyring: keys.keyring,
          database: { engine: "postgres", url: urlForDatabase(scratch.name, role.name) },
          ledgerId: made.ledgerId,
        } as const;
        // Must fire: without the grant, a clear refusal (not an internal error), naming no connection.
        const refused = await openGateService(options).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(isFailclosedError(refused) && refused.code).toBe("DATABASE_UNAVAILABLE");
        expect(String((refused as Error).message)).toContain(
          "grant SELECT on failclosed_gate.ledger_identity",
        );
        expect(String((refused as Error).message)).not.toContain(role.name);
        // Must stay quiet: with it, the pinned gate starts.
        await owner.exec(`GRANT SELECT ON failclosed_gate.ledger_identity TO "${role.name}"`);
        const service = await openGateService(options);
        expect(service.identity).toStrictEqual({ ...made, origin: "existing" });
        await service.close();
      } finally {
        for (const db of opened.splice(0)) await db.close();
        await scratch.drop();
        await role.drop();
      }
    }, 120_000);
  },
);
