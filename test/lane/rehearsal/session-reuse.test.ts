/**
 * Keeping the migration's session on PGlite (issue #17, session/reset.ts): a transactional run
 * keeps the clone's one backend only after DISCARD ALL and proof that nothing of the migration's
 * is left in it. Each case plants one thing a session can hold past its ROLLBACK and shows that
 * the next reader (the connection the run hands on) does not hold it, and that a run on that
 * connection afterwards reads the clone exactly as before. The lane-level cases show the kept
 * session's after_rollback standing in for the next run's `before`, and where it must not.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import { fixedClock } from "../../../src/kernel/clock.js";
import { cloneBackend, type CloneBackend } from "../../../src/lane/rehearsal/clone/backend.js";
import { CATALOG_STATEMENT } from "../../../src/lane/rehearsal/digest/folded-catalog.js";
import { SHIPPED_LANE_COMPONENTS, type Digest } from "../../../src/lane/rehearsal/components.js";
import type { LaneConfig } from "../../../src/lane/rehearsal/config.js";
import { openLane } from "../../../src/lane/rehearsal/lane.js";
import { runTransactional, type RunOutput } from "../../../src/lane/rehearsal/run-modes.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  digestPgliteDir,
  LANE_SECONDS,
  LOADS_CODE_MIGRATION,
  makePgliteClone,
  pgliteLaneConfig,
  rehearsalRequest,
  shippedRunInput,
  requestBytes,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";

let root: Awaited<ReturnType<typeof tempRoot>>;
let template: string;
let serial = 0;

beforeAll(async () => {
  root = await tempRoot("fc-lane-reuse-");
  template = await makePgliteClone(join(root.dir, "template"), {
    setupSql: CLONE_SETUP_SQL,
    name: "template",
  });
}, 180_000);

afterAll(async () => {
  await root?.remove();
});

async function newConfig(): Promise<LaneConfig> {
  serial += 1;
  const name = `reuse-${serial}`;
  const dir = await makePgliteClone(join(root.dir, name), { fromDir: template, name });
  const { config } = await writeLaneConfig(
    join(root.dir, `${name}.lane.json`),
    pgliteLaneConfig(dir, join(root.dir, `${name}-evidence`), { statement_timeout_ms: 5_000 }),
  );
  return config;
}

/** One transactional run of `sql` on `db`, with the shipped digest and take-back. */
function run(db: SqlDatabase, backend: CloneBackend, sql: string): Promise<RunOutput> {
  return runTransactional(db, shippedRunInput(backend, sql));
}

/**
 * Everything a session can hold past a ROLLBACK, as the next reader sees it. A custom setting
 * once set stays defined for the session (empty after RESET, as on any server): its value is
 * what must not outlive the migration.
 */
async function sessionState(db: SqlDatabase): Promise<Record<string, unknown>> {
  // The lane's own kept statement, byte for byte, is the one prepared statement a kept session holds.
  const rows = await db.query(
    `SELECT
    (SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_statements
      WHERE NOT (name = '${CATALOG_STATEMENT.name}' AND from_sql AND statement = $1))::int AS prepared,
    (SELECT pg_catalog.count(*) FROM pg_catalog.pg_cursors WHERE name <> '')::int AS cursors,
    (SELECT pg_catalog.count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory')::int AS advisory,
    (SELECT pg_catalog.count(*) FROM pg_catalog.pg_listening_channels())::int AS listening,
    (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.pg_my_temp_schema())::int AS temporary,
    coalesce(pg_catalog.current_setting('fc.planted', true), '') AS planted,
    pg_catalog.current_setting('search_path') AS search_path,
    CURRENT_USER::text AS current_user, SESSION_USER::text AS session_user`,
    [CATALOG_STATEMENT.prepare],
  );
  return rows.rows[0] ?? {};
}

/** Something the migration plants for the session; `kept`: whether the run may keep it. */
const LEFTOVERS: ReadonlyArray<{ readonly name: string; readonly sql: string; readonly kept: boolean }> = [
  {
    name: "a session advisory lock",
    sql: "SELECT pg_catalog.pg_advisory_lock(4242);",
    kept: true,
  },
  { name: "a prepared statement", sql: "PREPARE fc_leftover AS SELECT 1;", kept: true },
  {
    name: "a WITH HOLD cursor",
    sql: "DECLARE fc_held CURSOR WITH HOLD FOR SELECT 1;",
    kept: true,
  },
  { name: "LISTEN", sql: "LISTEN fc_channel;", kept: true },
  {
    name: "session settings (a custom one, search_path)",
    sql: "SELECT pg_catalog.set_config('fc.planted', 'yes', false);\nSET search_path = pg_temp, public;",
    kept: true,
  },
  { name: "another role", sql: "SET ROLE pg_read_all_data;", kept: true },
  {
    // On PGlite the session user a rolled-back SET SESSION AUTHORIZATION named outlives the
    // ROLLBACK and DISCARD ALL: the check sees it, and the clone is reopened.
    name: "another session authorization",
    sql: "SET SESSION AUTHORIZATION pg_read_all_data;",
    kept: false,
  },
  {
    name: "a temporary table and a temporary function",
    sql: "CREATE TEMP TABLE fc_temp (a int) ON COMMIT PRESERVE ROWS;\nCREATE FUNCTION pg_temp.fc_f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    kept: true,
  },
  {
    name: "lastval() of a sequence moved and put back",
    sql: "SELECT pg_catalog.nextval('ticket_seq');\nSELECT pg_catalog.setval('ticket_seq', 100, true);",
    kept: true,
  },
  {
    // A text search dictionary is a library the backend loads (as LOAD would): DISCARD ALL
    // cannot unload it, so the clone is reopened.
    name: "code loaded into the backend (the snowball dictionaries)",
    sql: "SELECT pg_catalog.to_tsvector('english', 'loaded libraries');",
    kept: false,
  },
];

describe("a transactional run keeps PGlite's session only when it is proven empty (#17)", () => {
  let backend: CloneBackend;
  let db: SqlDatabase;
  /** What a session on a freshly opened clone holds. */
  let fresh: Record<string, unknown>;
  beforeAll(async () => {
    backend = cloneBackend(await newConfig());
    db = await backend.open();
    fresh = await sessionState(db);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it("must stay quiet: a clean migration keeps the connection, and the next run on it reads the same before", async () => {
    const first = await run(db, backend, CLEAN_MIGRATION);
    expect(first).toMatchObject({ kept: true, clean: true });
    expect(first.db).toBe(db);
    expect(first.observation.afterRollback?.digest).toBe(first.observation.before?.digest);
    expect(await sessionState(db)).toEqual(fresh);
    const second = await run(db, backend, CLEAN_MIGRATION);
    expect(second.observation.before?.digest).toBe(first.observation.before?.digest);
  });

  it.each(LEFTOVERS)(
    "$name: the next reader holds none of it and reads the clone as before",
    async (leftover) => {
      const given = db;
      const out = await run(db, backend, `${CLEAN_MIGRATION}${leftover.sql}\n`);
      db = out.db ?? db;
      expect(out.observation.serverError).toBe(false);
      expect(out.kept).toBe(leftover.kept);
      expect(out.clean).toBe(true);
      expect(out.db === given).toBe(leftover.kept);
      expect(await sessionState(db)).toEqual(fresh);
      await expect(db.query("SELECT pg_catalog.lastval()")).rejects.toThrow(/lastval/);
      const again = await run(db, backend, CLEAN_MIGRATION);
      expect(again.observation.before?.digest).toBe(out.observation.before?.digest);
      expect(again.observation.afterRollback?.digest).toBe(out.observation.before?.digest);
      if (again.db !== undefined) db = again.db;
    },
  );

  it("must fire: LOAD moves the backend's loadedCode (a plain read does not), and the run reopens the clone", async () => {
    const mark = await db.loadedCode?.();
    expect(mark).toMatch(/^[0-9]+:[0-9]+$/);
    await db.query("SELECT 1");
    expect(await db.loadedCode?.()).toBe(mark);
    // Nothing in the lane's own reads uses PL/pgSQL: this worker has not loaded it yet.
    const given = db;
    const out = await run(db, backend, `${CLEAN_MIGRATION}LOAD 'plpgsql';\n`);
    db = out.db ?? db;
    expect(out).toMatchObject({ kept: false, clean: true });
    expect(out.observation.serverError).toBe(false);
    expect(out.db).not.toBe(given);
  });

  it("must stay quiet: a script that fails with a server error keeps the session once it is proven empty", async () => {
    const given = db;
    const failing = await run(
      db,
      backend,
      `${CLEAN_MIGRATION}PREPARE fc_before_error AS SELECT 1;\nSELECT pg_catalog.pg_advisory_lock(4343);\nSET search_path = pg_temp;\nSELECT 1/0;\n`,
    );
    expect(failing.observation.serverError).toBe(true);
    expect(failing).toMatchObject({ kept: true, clean: true });
    expect(failing.db).toBe(given);
    expect(await sessionState(db)).toEqual(fresh);
    expect(failing.observation.afterRollback?.digest).toBe(failing.observation.before?.digest);
  });

  it("must stay quiet: a sequence that moved is put back on the kept session, with no currval or lastval left", async () => {
    const given = db;
    const drift = await run(db, backend, `${CLEAN_MIGRATION}SELECT pg_catalog.nextval('ticket_seq');\n`);
    expect(drift).toMatchObject({ kept: true, clean: true });
    expect(drift.observation.afterRollback?.digest).not.toBe(drift.observation.before?.digest);
    expect(drift.db).toBe(given);
    // setval (the repair) and nextval (the migration) belong to no reader after the run.
    await expect(db.query("SELECT pg_catalog.lastval()")).rejects.toThrow(/lastval/);
    await expect(db.query("SELECT pg_catalog.currval('ticket_seq')")).rejects.toThrow(/currval/);
    const again = await run(db, backend, CLEAN_MIGRATION);
    expect(again.observation.before?.digest).toBe(drift.observation.before?.digest);
    expect(again.observation.afterRollback?.digest).toBe(drift.observation.before?.digest);
  });

  it("must fire: an escape from the transaction, and a script stopped at its deadline, reopen the clone", async () => {
    let given = db;
    const escape = await run(db, backend, "SELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 1;\n");
    db = escape.db ?? db;
    expect(escape.observation.escaped).toBe(true);
    expect(escape.kept).toBe(false);
    expect(escape.db).not.toBe(given);
    given = db;
    // On PGlite the statement outlives the deadline on the worker: the session is not the lane's.
    const stopped = await runTransactional(db, {
      ...shippedRunInput(backend, "SELECT pg_catalog.pg_sleep(1.5);\n"),
      statementTimeoutMs: 300,
    });
    db = stopped.db ?? db;
    expect(stopped.observation.serverError).toBe(true);
    expect(stopped).toMatchObject({ kept: false, clean: true });
    expect(stopped.db).not.toBe(given);
    expect(await sessionState(db)).toEqual(fresh);
  });

  it("must fire: a script that commits a change to the clone and then fails is neither kept nor clean", async () => {
    const given = db;
    // The second COMMIT ends the implicit transaction the rest of the script runs in, so the
    // table outlives the error.
    const out = await run(db, backend, "COMMIT;\nCREATE TABLE fc_escaped (a int);\nCOMMIT;\nSELECT 1/0;\n");
    expect(out.observation.serverError).toBe(true);
    expect(out.observation.afterRollback?.digest).not.toBe(out.observation.before?.digest);
    expect(out).toMatchObject({ kept: false, clean: false });
    expect(out.db).not.toBe(given);
  });
});

/** The shipped digest, counted. */
function countingDigest(): { digest: Digest; calls: () => number } {
  let calls = 0;
  return {
    digest: (session) => {
      calls += 1;
      return SHIPPED_LANE_COMPONENTS.digest(session);
    },
    calls: () => calls,
  };
}

describe("the lane takes a kept session's after_rollback as the next run's before (#17)", () => {
  it("must stay quiet: two PASSes on one lane digest before once, and cloneDigest answers what a fresh reader reads", async () => {
    const config = await newConfig();
    const lane = await openLane(config, { testMode: true, clock: fixedClock(LANE_SECONDS) });
    let known: string;
    try {
      const first = await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      const second = await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      expect(first.result.verdict).toBe("PASS");
      expect(second.result).toMatchObject({ verdict: "PASS", before: first.result.before });
      known = await lane.cloneDigest();
      expect(known).toBe(first.result.before);
    } finally {
      await lane.close();
    }
    if (config.clone.engine !== "pglite") throw new Error("a PGlite clone was expected");
    expect((await digestPgliteDir(config.clone.dataDir)).digest).toBe(known);
  });

  it("must fire: before is read again after a run that did not keep its session, and never across lanes", async () => {
    const config = await newConfig();
    const counted = countingDigest();
    const lane = await openLane(config, {
      testMode: true,
      clock: fixedClock(LANE_SECONDS),
      components: { digest: counted.digest },
    });
    try {
      await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      expect(counted.calls()).toBe(3);
      // Kept: after_apply and after_rollback only.
      await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      expect(counted.calls()).toBe(5);
      // A server error: after_apply is never read, and the session proven empty is kept.
      const failed = await lane.rehearse(
        requestBytes(rehearsalRequest(`${CLEAN_MIGRATION}SELECT 1/0;\n`, "transactional")),
      );
      expect(failed.result.verdict).toBe("FAIL");
      expect(counted.calls()).toBe(6);
      await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      expect(counted.calls()).toBe(8);
      // Code loaded into the backend: the clone is reopened, so the next run reads before again.
      const loaded = await lane.rehearse(
        requestBytes(rehearsalRequest(LOADS_CODE_MIGRATION, "transactional")),
      );
      expect(loaded.result.verdict).toBe("PASS");
      expect(counted.calls()).toBe(10);
      await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      expect(counted.calls()).toBe(13);
    } finally {
      await lane.close();
    }
    const again = await openLane(config, {
      testMode: true,
      clock: fixedClock(LANE_SECONDS),
      components: { digest: counted.digest },
    });
    try {
      await again.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      expect(counted.calls()).toBe(16);
    } finally {
      await again.close();
    }
  });
});
