import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../../src/lane/db/pglite.js";
import { openPostgres } from "../../../src/lane/db/postgres.js";
import type { SqlDatabase, SqlRows, SqlSession, SqlValue } from "../../../src/lane/db/session.js";
import {
  digestDatabase,
  type DatabaseDigest,
  type DigestStrategy,
} from "../../../src/lane/rehearsal/digest/digest.js";
import {
  createScratchDatabase,
  hasRealServer,
  REAL_SERVER_SKIP_REASON,
  urlForDatabase,
} from "../../support/real-postgres.js";
import { CATALOG_STATEMENT } from "../../../src/lane/rehearsal/digest/folded-catalog.js";
import { richFixtureScripts } from "./digest-fixture.js";

/**
 * Issue #17: the folded digest (every catalog section in one statement, the contents in as few
 * as memory allows) must write the very text the one-section-per-statement digest writes, in a
 * handful of round trips, and still name the section that fails.
 */

/** An error as either adapter raises it for a server's refusal: with its SQLSTATE as `code`. */
class ServerError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Captured {
  readonly digest: DatabaseDigest;
  readonly text: string;
  readonly clusterText: string;
  readonly roundTrips: number;
}

async function capture(session: SqlSession, strategy: DigestStrategy): Promise<Captured> {
  let text = "";
  let clusterText = "";
  let roundTrips = 0;
  const counting: SqlSession = {
    query: (sql: string, params?: readonly SqlValue[]) => {
      roundTrips++;
      return session.query(sql, params);
    },
    exec: (sql: string) => {
      roundTrips++;
      return session.exec(sql);
    },
  };
  const result = await digestDatabase(counting, {
    strategy,
    onCanonicalText: (scope, chunk) => {
      if (scope === "database") text += chunk;
      else clusterText += chunk;
    },
  });
  if (!result.ok) throw new Error(`digest failed: ${JSON.stringify(result.error)}`);
  return { digest: result.value, text, clusterText, roundTrips };
}

async function inRollback<T>(
  db: SqlDatabase,
  sql: string,
  fn: (session: SqlSession) => Promise<T>,
): Promise<T> {
  return db.withSession(async (session) => {
    await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    try {
      await session.exec(sql);
      return await fn(session);
    } finally {
      await session.query("ROLLBACK");
    }
  });
}

/** Many relations (more than one data statement holds), big and small, with unpopulated views between. */
const MANY_RELATIONS = `CREATE SCHEMA many;
DO $$ BEGIN
  FOR i IN 1..130 LOOP
    EXECUTE format('CREATE TABLE many.t%s (n int, t text)', lpad(i::text, 3, '0'));
    EXECUTE format('INSERT INTO many.t%s SELECT g, %L || g FROM generate_series(1, %s) AS g', lpad(i::text, 3, '0'), 'row ', i % 7);
    IF i % 40 = 0 THEN
      EXECUTE format('CREATE MATERIALIZED VIEW many.t%s_m AS SELECT 1 AS one WITH NO DATA', lpad(i::text, 3, '0'));
      EXECUTE format('CREATE SEQUENCE many.t%s_s', lpad(i::text, 3, '0'));
    END IF;
  END LOOP;
END $$;
INSERT INTO many.t050 SELECT g, E'big\\t' || (g * 7919 % 10007) FROM generate_series(1, 12001) AS g;
INSERT INTO many.t120 SELECT g, NULL FROM generate_series(1, 150) AS g;
SELECT nextval('many.t040_s');`;

/** The folded catalog statement, run as its text or as the kept prepared statement. */
function isCatalogStatement(sql: string): boolean {
  return sql.includes("fc_section") || sql === `EXECUTE ${CATALOG_STATEMENT.name}`;
}

function expectSameText(folded: Captured, perSection: Captured): void {
  expect(folded.text).toBe(perSection.text);
  expect(folded.clusterText).toBe(perSection.clusterText);
  expect(folded.digest).toEqual(perSection.digest);
}

describe("the folded digest on PGlite", () => {
  let db: SqlDatabase;

  beforeAll(async () => {
    db = await openPglite();
    for (const script of richFixtureScripts("forward")) await db.exec(script);
  });

  afterAll(async () => {
    await db.close();
  });

  it("writes the per-section digest's text, byte for byte, in six round trips (idle or in a caller's transaction)", async () => {
    const folded = await capture(db, "folded");
    const perSection = await capture(db, "per-section");
    expectSameText(folded, perSection);
    expect(perSection.roundTrips).toBeGreaterThan(25);
    // SAVEPOINT probe, BEGIN and settings, the kept catalog statement looked up (and prepared: the
    // session's first read), executed, contents, ROLLBACK.
    expect(folded.roundTrips).toBe(7);
    const inCaller = await inRollback(db, "SELECT 1", (session) => capture(session, "folded"));
    expect(inCaller.text).toBe(perSection.text);
    // SAVEPOINT, settings, the kept catalog statement looked up and executed, contents, back to
    // the savepoint.
    expect(inCaller.roundTrips).toBe(6);
  });

  it("writes the same text for many relations, big tables and unpopulated views, reading big tables in batches", async () => {
    await inRollback(db, MANY_RELATIONS, async (session) => {
      const folded = await capture(session, "folded");
      const perSection = await capture(session, "per-section");
      expectSameText(folded, perSection);
      expect(folded.digest.counts["table:many.t050"]).toBe(12_001 + 1);
      expect(folded.digest.counts["table:many.t120_m"]).toBe(0);
      // Two data statements for 140 relations, and many.t050 read alone: a first batch, then a
      // cursor (declare, three fetches, close), then one more statement to re-check the anchor.
      expect(folded.roundTrips).toBeLessThan(15);
    });
  });

  it("a change shows in the folded digest exactly where it shows in the per-section one", async () => {
    const before = await capture(db, "folded");
    await inRollback(db, "UPDATE app.customers SET name = name || '!' WHERE id = 1", async (session) => {
      const folded = await capture(session, "folded");
      const perSection = await capture(session, "per-section");
      expectSameText(folded, perSection);
      expect(folded.digest.digest).not.toBe(before.digest.digest);
    });
  });

  it("names the section that fails: a refused folded statement is diagnosed one section per statement", async () => {
    // A folded statement that fails once (as a lost lock or a cancelled statement would) and
    // passes when diagnosed: the folded failure stands, naming its group; never a digest.
    for (const group of ["catalog", "data ("] as const) {
      let failed = false;
      const flaky = await db.withSession(async (session) => {
        const wrapped: SqlSession = {
          query: (sql: string, params?: readonly SqlValue[]): Promise<SqlRows> => {
            const isTarget = group === "catalog" ? isCatalogStatement(sql) : sql.includes("fc_rows");
            if (isTarget && !failed) {
              failed = true;
              return Promise.reject(new ServerError("canceling statement", "57014"));
            }
            return session.query(sql, params);
          },
          exec: (sql: string) => session.exec(sql),
        };
        return digestDatabase(wrapped);
      });
      expect(failed).toBe(true);
      expect(flaky.ok).toBe(false);
      if (!flaky.ok) {
        expect(flaky.error).toMatchObject({ kind: "digest_failed", sqlstate: "57014" });
        expect(flaky.error.section.startsWith(group)).toBe(true);
      }
    }
    // A failure without a SQLSTATE (the connection is gone) is not diagnosed: one attempt only.
    let attempts = 0;
    const gone = await db.withSession((session) =>
      digestDatabase({
        query: (sql: string, params?: readonly SqlValue[]): Promise<SqlRows> => {
          if (isCatalogStatement(sql)) {
            attempts++;
            return Promise.reject(new Error("Connection terminated"));
          }
          return session.query(sql, params);
        },
        exec: (sql: string) => session.exec(sql),
      }),
    );
    expect(gone).toMatchObject({ ok: false, error: { kind: "digest_failed", section: "catalog" } });
    expect(attempts).toBe(1);
  });
});

const title = hasRealServer()
  ? "the folded digest on a real PostgreSQL server"
  : `the folded digest on a real PostgreSQL server (skipped: ${REAL_SERVER_SKIP_REASON})`;

describe.skipIf(!hasRealServer())(title, () => {
  it("writes the per-section digest's text, byte for byte, for the rich fixture and for many relations", async () => {
    const scratch = await createScratchDatabase("fc_digest_folded");
    const database = await openPostgres(urlForDatabase(scratch.name), { max: 2 });
    try {
      for (const script of richFixtureScripts("forward")) await database.exec(script);
      const folded = await capture(database, "folded");
      const perSection = await capture(database, "per-section");
      expectSameText(folded, perSection);
      // Six, or seven where the pool's connection prepares the kept catalog statement first.
      expect([6, 7]).toContain(folded.roundTrips);
      await inRollback(database, MANY_RELATIONS, async (session) => {
        expectSameText(await capture(session, "folded"), await capture(session, "per-section"));
      });
    } finally {
      await database.close();
      await scratch.drop();
    }
  });
});
