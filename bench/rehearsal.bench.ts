import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openPglite } from "../src/lane/db/pglite.js";
import { openPostgres } from "../src/lane/db/postgres.js";
import type { SqlDatabase } from "../src/lane/db/session.js";
import { cloneBackend, type CloneBackend } from "../src/lane/rehearsal/clone/backend.js";
import { createClone } from "../src/lane/rehearsal/clone/create.js";
import { parseLaneConfig, type LaneConfig } from "../src/lane/rehearsal/config.js";
import { openLane, type Lane } from "../src/lane/rehearsal/lane.js";
import { loadKeyring, requireSigner } from "../src/lane/seal/keyring.js";
import type { BenchCase, BenchPair, BenchSuite } from "./harness.js";

/**
 * The rehearsal lane beside its bare limits, per mode and engine:
 * - transactional: lane.rehearse (decode, classifier, guard, three digests, sequence check,
 *   evidence and seal) against the bare transaction of the same SQL: BEGIN; migration; ROLLBACK.
 * - snapshot_restore: lane.rehearse against the bare clone cycle: snapshot, apply and COMMIT,
 *   restore, through the same clone backend, without guard, digests or evidence.
 * Each bare limit works on its own copy of the lane's clone (a PGlite directory can be open in one
 * instance only, and a real server copies a database only while nobody is connected to it).
 *
 * Runs on PGlite, and also on a real server when FAILCLOSED_BENCH_DATABASE_URL (an admin
 * connection) is set: there it creates a NOSUPERUSER CREATEDB role owning its clone databases
 * and drops all of them in teardown. Rehearsals take from tens of milliseconds to seconds, so the
 * rounds are few and short.
 */

const MIGRATION = `CREATE TABLE bench_orders (id bigint PRIMARY KEY, label text NOT NULL);
INSERT INTO bench_orders (id, label) VALUES (1, 'first'), (2, 'second'), (3, 'third');
ALTER TABLE bench_orders ADD COLUMN shipped boolean NOT NULL DEFAULT false;
`;
/** What a clone holds before the migration: a table with rows and a used sequence. */
const CLONE_STATE = `CREATE SEQUENCE ticket_seq START 100;
SELECT nextval('ticket_seq');
CREATE TABLE accounts (id bigint PRIMARY KEY, label text NOT NULL);
INSERT INTO accounts (id, label) SELECT g, 'account ' || g FROM generate_series(1, 200) AS g;
`;
const MIGRATION_SHA256 = createHash("sha256").update(MIGRATION, "utf8").digest("hex");

/** The test keyring (corpora/keyrings/test), found from bench/ or from dist/bench/. */
function testKeyringDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "corpora", "keyrings", "test");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error("bench: corpora/keyrings/test not found above the bench file");
}

let serial = 0;
function requestBytes(mode: "transactional" | "snapshot_restore"): Uint8Array {
  serial += 1;
  const request = {
    kind: "rehearsal-request",
    v: 1,
    rehearsal_id: `bench-${serial}`,
    packet_id: "FIX7-P0-2026-06-12",
    mode,
    migration: MIGRATION,
    artifact_sha256: MIGRATION_SHA256,
  };
  return new Uint8Array(Buffer.from(JSON.stringify(request), "utf8"));
}

function laneConfig(clone: Record<string, string>, root: string, keyrings: string): LaneConfig {
  const raw = {
    clone,
    production: { databases: ["production"] },
    keyring: [join(keyrings, "rehearsal.private.jwks.json"), join(keyrings, "public.jwks.json")],
    evidence_dir: join(root, "evidence"),
    // A shared server: other work creates databases and roles meanwhile.
    compare_cluster: false,
  };
  return parseLaneConfig(Buffer.from(JSON.stringify(raw)), join(root, "lane.json"));
}

/** The subject: one rehearsal that must PASS; anything else means the bench measures a refusal. */
function rehearsal(lane: Lane, mode: "transactional" | "snapshot_restore", engine: string): BenchCase {
  return {
    name: `lane.rehearse ${mode} (${engine})`,
    fn: async () => {
      const { result } = await lane.rehearse(requestBytes(mode));
      if (result.verdict !== "PASS")
        throw new Error(`bench: ${mode} ${result.verdict} ${result.reasons.join(",")}`);
    },
  };
}

function bareTransaction(db: SqlDatabase): BenchCase {
  return {
    name: "BEGIN; migration; ROLLBACK",
    fn: () =>
      db.withSession(async (session) => {
        await session.query("BEGIN");
        try {
          await session.exec(MIGRATION);
        } finally {
          await session.query("ROLLBACK");
        }
      }),
  };
}

function bareCloneCycle(backend: CloneBackend): BenchCase {
  return {
    name: "snapshot; migration; COMMIT; restore",
    fn: async () => {
      const snapshot = await backend.snapshot();
      const db = await backend.open();
      try {
        await db.withSession(async (session) => {
          await session.query("BEGIN");
          await session.exec(MIGRATION);
          await session.query("COMMIT");
        });
      } finally {
        await db.close();
      }
      await backend.restore(snapshot);
      await backend.discard(snapshot);
    },
  };
}

function pairsFor(engine: string, lane: Lane, bareDb: SqlDatabase, bareBackend: CloneBackend): BenchPair[] {
  return [
    {
      group: `rehearsal ${engine} transactional (#17)`,
      subject: rehearsal(lane, "transactional", engine),
      limit: bareTransaction(bareDb),
      opsPerRound: 5,
      rounds: 3,
      goal: 0.3,
    },
    {
      group: `rehearsal ${engine} snapshot_restore (the copy dominates)`,
      subject: rehearsal(lane, "snapshot_restore", engine),
      limit: bareCloneCycle(bareBackend),
      opsPerRound: 3,
      rounds: 3,
      goal: 0.9,
    },
  ];
}

const cleanups: Array<() => Promise<void>> = [];

async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function pglitePairs(root: string, keyrings: string, now: number): Promise<BenchPair[]> {
  const operator = requireSigner(
    await loadKeyring([join(keyrings, "operator.private.jwks.json")], { testMode: true }),
    "operator",
  );
  const laneDir = join(root, "lane-clone");
  await createClone({ engine: "pglite", toDir: laneDir }, "bench-lane", operator, now);
  const seeded = await openPglite(laneDir);
  await seeded.exec(CLONE_STATE);
  await seeded.close();
  // The bare limits' copies hold the same state (and a marker they do not need).
  const bareTxDir = join(root, "bare-tx-clone");
  const bareCycleDir = join(root, "bare-cycle-clone");
  await createClone({ engine: "pglite", fromDir: laneDir, toDir: bareTxDir }, "bench-bare-tx", operator, now);
  await createClone(
    { engine: "pglite", fromDir: laneDir, toDir: bareCycleDir },
    "bench-bare-cycle",
    operator,
    now,
  );

  const lane = await openLane(laneConfig({ engine: "pglite", data_dir: laneDir }, root, keyrings), {
    testMode: true,
  });
  cleanups.unshift(() => lane.close());
  const bareDb = await openPglite(bareTxDir);
  cleanups.unshift(() => bareDb.close());
  const bareBackend = cloneBackend(laneConfig({ engine: "pglite", data_dir: bareCycleDir }, root, keyrings));
  return pairsFor("PGlite", lane, bareDb, bareBackend);
}

async function serverPairs(
  adminUrl: string,
  root: string,
  keyrings: string,
  now: number,
): Promise<BenchPair[]> {
  const role = `fc_bench_lane_${randomBytes(5).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE ROLE "${role}" LOGIN NOSUPERUSER NOCREATEROLE CREATEDB`);
  // Registered at once, so the role and every database it owns (clones, leftover snapshots) go.
  cleanups.push(async () => {
    const owned = await adminQuery(
      adminUrl,
      `SELECT d.datname FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba WHERE r.rolname = '${role}'`,
    );
    for (const row of owned.rows as Array<{ datname: string }>) {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    }
    await adminQuery(adminUrl, `DROP ROLE IF EXISTS "${role}"`);
  });
  const urlFor = (database: string): string => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    url.username = role;
    url.password = "";
    return url.toString();
  };
  const operator = requireSigner(
    await loadKeyring([join(keyrings, "operator.private.jwks.json")], { testMode: true }),
    "operator",
  );
  const suffix = randomBytes(4).toString("hex");
  const names = {
    lane: `fc_bench_lane_${suffix}`,
    tx: `fc_bench_tx_${suffix}`,
    cycle: `fc_bench_cycle_${suffix}`,
  };
  await createClone({ engine: "postgres", fromUrl: urlFor("template0") }, names.lane, operator, now);
  const seeded = await openPostgres(urlFor(names.lane), { max: 1 });
  await seeded.exec(CLONE_STATE);
  await seeded.close();
  for (const copy of [names.tx, names.cycle]) {
    await createClone({ engine: "postgres", fromUrl: urlFor(names.lane) }, copy, operator, now);
  }
  const lane = await openLane(laneConfig({ engine: "postgres", url: urlFor(names.lane) }, root, keyrings), {
    testMode: true,
  });
  cleanups.unshift(() => lane.close());
  const bareDb = await openPostgres(urlFor(names.tx), { max: 1 });
  cleanups.unshift(() => bareDb.close());
  const bareBackend = cloneBackend(
    laneConfig({ engine: "postgres", url: urlFor(names.cycle) }, root, keyrings),
  );
  return pairsFor("postgres", lane, bareDb, bareBackend);
}

export const suite: BenchSuite = {
  name: "rehearsal",
  async pairs() {
    const root = await mkdtemp(join(tmpdir(), "fc-bench-rehearsal-"));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const keyrings = testKeyringDir();
    const now = Math.floor(Date.now() / 1000);
    const pairs = await pglitePairs(root, keyrings, now);
    const adminUrl = process.env.FAILCLOSED_BENCH_DATABASE_URL;
    if (adminUrl !== undefined && adminUrl !== "")
      pairs.push(...(await serverPairs(adminUrl, root, keyrings, now)));
    return pairs;
  },
  async teardown() {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  },
};
