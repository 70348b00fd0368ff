/**
 * Issue #13: PostgreSQL stopped mid-rehearsal, on a private cluster this file starts (never the
 * shared server). In each mode the real `failclosed rehearse` runs a migration that sleeps; once
 * its backend shows in pg_stat_activity the cluster is stopped with `pg_ctl stop -m immediate`.
 * The rehearsal must end with a FAIL or REFUSED verdict, its evidence directory and its seal (C7),
 * never a PASS, and the process must exit normally. The lane's record stays pending (nothing could
 * be proven while the server was down); once the server is back, the next `rehearse` finishes the
 * undoing, proves the clone equal to its clean digest, removes the snapshot, and PASSes.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mode } from "../../../src/lane/codec/documents.js";
import { cloneBackend } from "../../../src/lane/rehearsal/clone/backend.js";
import { journalPath, readJournal } from "../../../src/lane/rehearsal/journal.js";
import {
  canStartPrivateCluster,
  PRIVATE_CLUSTER_SKIP_REASON,
  startPrivateCluster,
  type PrivateCluster,
} from "../db/private-cluster.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  cli,
  createRealClone,
  digestUrl,
  expectCliVerifies,
  PACKET_ID,
  realLaneConfig,
  tempRoot,
  writeLaneConfig,
  rehearseArgs,
} from "../../support/lane-fixtures.js";

const LANE_ROLE = "fc_outage_lane";

async function onCluster<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Polls until a backend of the lane's role is running the migration's pg_sleep. */
async function migrationRunning(url: string, attempts = 1_200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const seen = await onCluster(url, async (client) => {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity
          WHERE usename = $1 AND state = 'active' AND query LIKE '%pg_sleep%'`,
        [LANE_ROLE],
      );
      return (rows[0] as { n: number }).n > 0;
    });
    if (seen) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the migration never showed in pg_stat_activity");
}

/** The summary `rehearse` prints: verdict line, evidence tree, evidence directory. */
function summary(stdout: string): { verdict: string; tree: string; dir: string } {
  const verdict = /^(PASS|FAIL|REFUSED)/m.exec(stdout)?.[1];
  const tree = /^evidence tree ([0-9a-f]{64})$/m.exec(stdout)?.[1];
  const dir = /^evidence (\/.+)$/m.exec(stdout)?.[1];
  if (verdict === undefined || tree === undefined || dir === undefined)
    throw new Error(`unexpected rehearse output: ${stdout}`);
  return { verdict, tree, dir };
}

if (!canStartPrivateCluster()) console.warn(`[skip] ${PRIVATE_CLUSTER_SKIP_REASON}`);

describe.skipIf(!canStartPrivateCluster())(
  `PostgreSQL stopped mid-rehearsal${canStartPrivateCluster() ? "" : ` (skipped: ${PRIVATE_CLUSTER_SKIP_REASON})`}`,
  () => {
    let cluster: PrivateCluster;
    let root: Awaited<ReturnType<typeof tempRoot>>;
    const role = {
      name: LANE_ROLE,
      urlFor: (database: string): string => {
        const url = new URL(cluster.url);
        url.pathname = `/${database}`;
        url.username = LANE_ROLE;
        return url.toString();
      },
    };

    beforeAll(async () => {
      root = await tempRoot("fc-outage-");
      cluster = await startPrivateCluster();
      await onCluster(cluster.url, (client) =>
        client.query(`CREATE ROLE ${LANE_ROLE} LOGIN NOSUPERUSER NOCREATEROLE CREATEDB`),
      );
    }, 180_000);

    afterAll(async () => {
      await cluster?.remove();
      await root?.remove();
    });

    const rehearse = (configPath: string, migration: string, mode: Mode, json = false) =>
      cli(rehearseArgs(configPath, migration, mode, PACKET_ID, { extra: json ? ["--json"] : [] }));

    for (const mode of ["transactional", "snapshot_restore"] as const) {
      it(`${mode}: FAIL with sealed evidence while the server dies; after it is back the next rehearse recovers and PASSes`, async () => {
        const clone = await createRealClone(role, { setupSql: CLONE_SETUP_SQL });
        const clean = (await digestUrl(clone.url)).digest;
        const { path, config } = await writeLaneConfig(
          join(root.dir, `${mode}.lane.json`),
          realLaneConfig(clone.url, join(root.dir, `${mode}-evidence`)),
        );
        const journal = journalPath(config, cloneBackend(config).identity);
        const sleeper = join(root.dir, `${mode}-sleeps.sql`);
        await writeFile(sleeper, `${CLEAN_MIGRATION}SELECT pg_catalog.pg_sleep(50);\n`);
        const cleanFile = join(root.dir, `${mode}-clean.sql`);
        await writeFile(cleanFile, CLEAN_MIGRATION);
        const running = rehearse(path, sleeper, mode);
        try {
          await migrationRunning(cluster.url);
          await cluster.stopImmediate();
          const interrupted = await running;
          // The process ended on its own with a verdict, not a crash.
          expect(interrupted.code).toBe(1);
          expect(interrupted.stderr).not.toMatch(/Error|at .*\.js/);
          const { verdict, tree, dir } = summary(interrupted.stdout);
          expect(["FAIL", "REFUSED"]).toContain(verdict);
          const claims = await expectCliVerifies(dir, tree, `${dir}.evidence.jws`);
          expect(claims).toMatchObject({ verdict, mode, before: clean });
          // Nothing could be proven while the server was down: the record stays pending.
          expect(await readJournal(journal)).toMatchObject({
            state: "pending",
            mode,
            clean_digest: clean,
            ...(mode === "snapshot_restore"
              ? { snapshot: expect.stringMatching(/^fcsnap_/) as unknown }
              : {}),
          });
        } finally {
          await cluster.start();
        }

        const next = await rehearse(path, cleanFile, mode, true);
        expect(next.stderr).toBe("");
        expect(next.code).toBe(0);
        expect(JSON.parse(next.stdout)).toMatchObject({
          verdict: "PASS",
          before: clean,
          after_rollback: clean,
        });
        expect(await readJournal(journal)).toMatchObject({ state: "clean", clean_digest: clean });
        expect((await digestUrl(clone.url)).digest).toBe(clean);
        const snapshots = await onCluster(cluster.url, (client) =>
          client.query("SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE 'fcsnap%'"),
        );
        expect(snapshots.rows).toEqual([]);
      }, 400_000);
    }
  },
);
