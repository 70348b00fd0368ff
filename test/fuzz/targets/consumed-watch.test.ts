/**
 * F3's consumed-nonce count for the embedded ledger (consumed-watch.ts): the ledger is queried
 * again only after the database announced a change to the table, whoever made it. The count must
 * move with every committed change (so the state oracle still fires), and refusals, replays and
 * rolled-back work must cost no query.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateOracle } from "../../../src/fuzz/oracles/index.js";
import { watchConsumed, type ConsumedWatch } from "../../../src/fuzz/targets/consumed-watch.js";
import { openPglite } from "../../../src/lane/db/pglite.js";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import { openLedger } from "../../../src/lane/gate/ledger/ledger.js";
import type { Ledger } from "../../../src/lane/gate/ledger/types.js";
import { DENY_BODY, input, probe, responded } from "../oracles/support.js";
import { allow, grant, nonce, uniqueId } from "../../lane/gate/ledger-fixtures.js";

let db: SqlDatabase;
let ledger: Ledger;
let queries = 0;
let watch: ConsumedWatch;

/** The real ledger, counting the consumed-count queries that reach it. */
function counting(real: Ledger): Ledger {
  return {
    ...real,
    consumedCount: () => {
      queries += 1;
      return real.consumedCount();
    },
  };
}

beforeAll(async () => {
  db = await openPglite();
  ledger = await openLedger(db);
  watch = await watchConsumed(db, counting(ledger));
});

afterAll(async () => {
  await db.close();
});

/** The count, and how many ledger queries it took. */
async function counted(): Promise<[number, number]> {
  const before = queries;
  const count = await watch.count();
  return [count, queries - before];
}

const insertBehindTheLedger = (grantId: string, theNonce: string): string =>
  `INSERT INTO failclosed_gate.consumed_nonces (grant_id, nonce, packet_id, action, request_id)
   VALUES ('${grantId}', '${theNonce}', 'PKT-0001', 'CUTOVER', 'req-behind')`;

describe("watchConsumed on PGlite", () => {
  it("queries once, then not again while nothing changes: refusals, replays, rollbacks", async () => {
    expect(await counted()).toEqual([0, 1]);
    expect(await counted()).toEqual([0, 0]);
    expect((await ledger.recordRefusal({ verdict: "DENY", reasons: ["seal_invalid"] })).ok).toBe(true);
    expect(await counted()).toEqual([0, 0]);
    await db.withSession(async (session) => {
      await session.exec("BEGIN");
      await session.query(insertBehindTheLedger(uniqueId("grant"), nonce()));
      await session.exec("ROLLBACK");
    });
    expect(await counted()).toEqual([0, 0]);
  });

  it("counts every committed spend, and a replay refused by the ledger changes nothing", async () => {
    const spent = [grant(), grant()];
    expect((await ledger.commitAllow(allow(spent))).ok).toBe(true);
    expect(await counted()).toEqual([2, 1]);
    expect(await counted()).toEqual([2, 0]);
    expect(await ledger.commitAllow(allow(spent))).toEqual({ ok: false, error: "replayed" });
    expect(await counted()).toEqual([2, 0]);
  });

  it("sees a nonce consumed behind the ledger's back, and F3 fires on it", async () => {
    const before = { consumedNonces: (await counted())[0] };
    await db.query(insertBehindTheLedger(uniqueId("grant"), nonce()));
    const [after, took] = await counted();
    expect(took).toBe(1);
    expect(after).toBe(before.consumedNonces + 1);
    const verdict = await stateOracle.judge(
      input(undefined, probe("attack"), responded(DENY_BODY), { before, after: { consumedNonces: after } }),
    );
    expect(verdict).toEqual({ kind: "fail", reason: "consumed nonces changed from 2 to 3" });
  });

  it("hands callers arriving while a query runs the count it reads, never the one before the change", async () => {
    // Gate probes in flight together read their snapshots side by side (in-process.ts, inFlight).
    const before = (await counted())[0];
    await db.query(insertBehindTheLedger(uniqueId("grant"), nonce()));
    const already = queries;
    const counts = await Promise.all(Array.from({ length: 6 }, () => watch.count()));
    expect(counts).toEqual(Array.from({ length: 6 }, () => before + 1));
    expect(queries - already).toBe(1);
  });

  it("queries every time on a database that cannot listen", async () => {
    const { listen: _listen, ...deaf } = db;
    const plain = await watchConsumed(deaf, counting(ledger));
    const before = queries;
    expect(await plain.count()).toBe(4);
    expect(await plain.count()).toBe(4);
    expect(queries - before).toBe(2);
  });
});
