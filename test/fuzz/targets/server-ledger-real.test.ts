/**
 * `run --database-url`: the gate's ledger lives on the real server too (issue #15), so P04's races
 * fire their copies at a gate whose spends run side by side on a connection pool. Must stay quiet:
 * the shipped ledger closes P04 there, and its spends are on the server. Must fire: a ledger that
 * checks for a spent nonce and then inserts without relying on the constraint passes every
 * sequential replay and is found by the race (double spend) at P04's default minimum runs.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p04 } from "../../../probes/p04-grant-replay.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { runFuzz } from "../../../src/fuzz/engine/engine.js";
import { deriveKeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import { openReferenceTarget, type ReferenceComponents } from "../../../src/fuzz/targets/reference.js";
import type { Report } from "../../../src/fuzz/report-types.js";
import { fixedClock } from "../../../src/kernel/clock.js";
import { LEDGER_SCHEMA } from "../../../src/lane/index.js";
import { checkThenInsertLedger } from "../../../src/fuzz/calibrate/flaws/p04-check-then-insert-ledger.js";
import { adminQuery, hasRealServer, REAL_SERVER_URL, urlForDatabase } from "../../support/real-postgres.js";

const NOW = 1_781_265_600;
/** The command line's default budget (failclosed run --budget). */
const BUDGET_MS = 100_000;
const TAG = `t${randomBytes(4).toString("hex")}`;
let workDir: string;

async function ledgerDatabases(): Promise<string[]> {
  const { rows } = await adminQuery(
    `SELECT datname FROM pg_database WHERE datname LIKE 'fc\\_ledger\\_${TAG}%' ORDER BY datname`,
  );
  return rows.map((row: { datname: string }) => row.datname);
}

/** Spent nonces in the run's ledger database on the server, read just before the run closes it. */
async function consumedOnServer(): Promise<number> {
  const [database] = await ledgerDatabases();
  if (database === undefined) return -1;
  const client = new pg.Client({ connectionString: urlForDatabase(database) });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${LEDGER_SCHEMA}.consumed_nonces`);
    return Number((rows[0] as { n: number }).n);
  } finally {
    await client.end();
  }
}

async function runP04(components?: ReferenceComponents): Promise<{ report: Report; consumed: number }> {
  const kut = await deriveKeyringUnderTest(`server-ledger-${TAG}`);
  let consumed = -1;
  const report = await runFuzz({
    families: [p04],
    openTarget: async (k, now) => {
      const target = await openReferenceTarget({
        keyringSources: k.sources,
        clock: fixedClock(now),
        workDir,
        testMode: true,
        gateKid: k.kids.gate,
        rehearsalKid: k.kids.rehearsal,
        server: REAL_SERVER_URL ?? "",
        serverNameTag: TAG,
        ...(components === undefined ? {} : { components }),
      });
      return {
        ...target,
        close: async () => {
          consumed = await consumedOnServer();
          await target.close();
        },
      };
    },
    oracles: ORACLES,
    canariesOf: (k) => canariesFromJwks(k.jwkSets),
    seed: 15,
    budgetMs: BUDGET_MS,
    concurrency: 4,
    familyConcurrency: 1,
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    reporters: [],
    now: NOW,
    keyringUnderTest: () => Promise.resolve(kut),
  });
  return { report, consumed };
}

describe.skipIf(!hasRealServer())("run --database-url: the gate's ledger on the real server", () => {
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "fc-server-ledger-"));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("the shipped ledger closes P04 there, its spends are on the server, and the ledger is dropped after (must stay quiet)", async () => {
    const { report, consumed } = await runP04();
    expect(report.families.map((f) => [f.family, f.status])).toEqual([["P04", { kind: "closed" }]]);
    // Set-up spends and the one allowed copy of each race consumed nonces, on the server.
    expect(consumed).toBeGreaterThan(0);
    expect(await ledgerDatabases()).toEqual([]);
  }, 600_000);

  it("a check-then-insert ledger is found by P04's races as a double spend (must fire)", async () => {
    const { report } = await runP04({ gate: { ledger: checkThenInsertLedger } });
    const [p04Result] = report.families;
    expect(p04Result?.status.kind).toBe("finding");
    const finding = p04Result?.findings[0];
    expect(finding?.oracle).toBe("double-spend");
    // A race on a real server is timing: the shrunk race may not lose again when fired alone, and
    // then the finding is flaky, which blocks a release just the same (operating.md).
    expect(["confirmed", "flaky"]).toContain(finding?.confirmation);
    expect(await ledgerDatabases()).toEqual([]);
  }, 600_000);
});
