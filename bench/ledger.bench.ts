import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPglite } from "../src/lane/db/pglite.js";
import { openPostgres } from "../src/lane/db/postgres.js";
import type { SqlDatabase } from "../src/lane/db/session.js";
import { openLedger } from "../src/lane/gate/ledger/ledger.js";
import type { GrantUse, Ledger } from "../src/lane/gate/ledger/ledger.js";
import type { BenchPair, BenchSuite } from "./harness.js";

/**
 * The gate ledger beside its bare limits: the same rows written with plain SQL into tables that
 * keep only what the job cannot do without (the two unique indexes and the identity), without
 * validation, CHECK constraints, triggers, retries or result handling. Every operation uses fresh
 * grants, so nothing is ever replayed and both sides do the same inserts.
 *
 * Runs on in-memory PGlite, and also on a real server when FAILCLOSED_BENCH_DATABASE_URL (an admin
 * connection) is set: there it creates a throwaway database and drops it in teardown.
 */

const BARE_SCHEMA = `
CREATE SCHEMA bench_bare;
CREATE TABLE bench_bare.consumed_nonces (
  grant_id text PRIMARY KEY, nonce text UNIQUE, packet_id text, action text, request_id text,
  consumed_at timestamptz DEFAULT now());
CREATE TABLE bench_bare.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz DEFAULT now(), request_id text,
  verdict text, reasons text[], action text, packet_id text, permit_id text);`;

const BARE_NONCES = `INSERT INTO bench_bare.consumed_nonces (grant_id, nonce, packet_id, action, request_id)
  VALUES ($1, $2, $5, $6, $7), ($3, $4, $5, $6, $7)`;
const BARE_ALLOW_AUDIT = `INSERT INTO bench_bare.audit_log (request_id, verdict, reasons, action, packet_id, permit_id)
  VALUES ($1, 'ALLOW', '{}', $2, $3, $4)`;
// The floor: one statement (so one implicit transaction and one round trip) writes all three rows.
const BARE_SINGLE = `WITH nonces AS (
    INSERT INTO bench_bare.consumed_nonces (grant_id, nonce, packet_id, action, request_id)
    VALUES ($1, $2, $5, $6, $7), ($3, $4, $5, $6, $7))
  INSERT INTO bench_bare.audit_log (request_id, verdict, reasons, action, packet_id, permit_id)
  VALUES ($7, 'ALLOW', '{}', $6, $5, $8)`;
const BARE_REFUSAL = `INSERT INTO bench_bare.audit_log (request_id, verdict, reasons, action, packet_id)
  VALUES ($1, 'DENY', '{seal_invalid}', $2, $3)`;

const PACKET_ID = "PKT-BENCH";
const IN_FLIGHT = 32;
const ACTION = "CUTOVER";

let serial = 0;
function id(prefix: string): string {
  serial += 1;
  return `${prefix}-${serial}`;
}
function grant(): GrantUse {
  return { grantId: id("g"), nonce: randomBytes(16).toString("base64url") };
}

function pairsFor(engine: string, db: SqlDatabase, ledger: Ledger, opsPerRound: number): BenchPair[] {
  const commitAllow = {
    name: "commitAllow (2 fresh grants)",
    fn: async () => {
      const result = await ledger.commitAllow({
        requestId: id("r"),
        packetId: PACKET_ID,
        action: ACTION,
        permitId: id("p"),
        grants: [grant(), grant()],
        reasons: [],
      });
      if (!result.ok) throw new Error(`bench: commitAllow failed: ${result.error}`);
    },
  };
  const bareTransaction = {
    name: "BEGIN; INSERT 2 nonces; INSERT audit; COMMIT",
    fn: () =>
      db.withSession(async (session) => {
        const [a, b] = [grant(), grant()];
        await session.exec("BEGIN");
        await session.query(BARE_NONCES, [
          a.grantId,
          a.nonce,
          b.grantId,
          b.nonce,
          PACKET_ID,
          ACTION,
          id("r"),
        ]);
        await session.query(BARE_ALLOW_AUDIT, [id("r"), ACTION, PACKET_ID, id("p")]);
        await session.exec("COMMIT");
      }),
  };
  const bareSingle = {
    name: "one INSERT statement of the same rows",
    fn: async () => {
      const [a, b] = [grant(), grant()];
      await db.query(BARE_SINGLE, [
        a.grantId,
        a.nonce,
        b.grantId,
        b.nonce,
        PACKET_ID,
        ACTION,
        id("r"),
        id("p"),
      ]);
    },
  };
  const recordRefusal = {
    name: "recordRefusal (DENY)",
    fn: async () => {
      const result = await ledger.recordRefusal({
        requestId: id("r"),
        verdict: "DENY",
        reasons: ["seal_invalid"],
        action: ACTION,
        packetId: PACKET_ID,
      });
      if (!result.ok) throw new Error(`bench: recordRefusal failed: ${result.error}`);
    },
  };
  const bareRefusal = {
    name: "INSERT audit row",
    fn: () => db.query(BARE_REFUSAL, [id("r"), ACTION, PACKET_ID]),
  };
  // Refusals 32 at a time, as a served gate records them: the ledger's group commit writes them in
  // a few shared INSERTs; the bare limit sends each its own INSERT, all at once.
  const together = (one: () => Promise<unknown>) => () =>
    Promise.all(Array.from({ length: IN_FLIGHT }, () => one()));
  return [
    { group: `ledger ${engine}`, subject: commitAllow, limit: bareTransaction, opsPerRound },
    { group: `ledger ${engine}`, subject: commitAllow, limit: bareSingle, opsPerRound },
    { group: `ledger ${engine}`, subject: recordRefusal, limit: bareRefusal, opsPerRound: opsPerRound * 2 },
    {
      group: `ledger ${engine}, ${IN_FLIGHT} in flight`,
      subject: { name: `${recordRefusal.name} (group commit)`, fn: together(recordRefusal.fn) },
      limit: { name: `${bareRefusal.name}, each its own`, fn: together(bareRefusal.fn) },
      opsPerRound: Math.max(4, Math.floor(opsPerRound / 8)),
      unitsPerOp: IN_FLIGHT,
    },
  ];
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const cleanups: Array<() => Promise<void>> = [];

async function prepare(db: SqlDatabase): Promise<Ledger> {
  const ledger = await openLedger(db);
  await db.exec(BARE_SCHEMA);
  return ledger;
}

export const suite: BenchSuite = {
  name: "ledger",
  async pairs() {
    const lite = await openPglite();
    cleanups.push(() => lite.close());
    const pairs = pairsFor("pglite", lite, await prepare(lite), 100);

    const adminUrl = process.env.FAILCLOSED_BENCH_DATABASE_URL;
    if (adminUrl !== undefined && adminUrl !== "") {
      const name = `fc_bench_ledger_${randomBytes(6).toString("hex")}`;
      await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
      // Registered before anything else can fail, so the database is dropped whatever happens next.
      cleanups.push(() => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const server = await openPostgres(url.toString());
      cleanups.unshift(() => server.close());
      pairs.push(...pairsFor("postgres", server, await prepare(server), 100));
    }
    return pairs;
  },
  async teardown() {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  },
};
