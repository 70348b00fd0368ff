import { createHash } from "node:crypto";
import { openPglite } from "../src/lane/db/pglite.js";
import type { SqlDatabase, SqlSession } from "../src/lane/db/session.js";
import { digestDatabase } from "../src/lane/rehearsal/digest/digest.js";
import type { BenchSuite } from "./harness.js";

/**
 * The canonical database digest (SPEC C5) on PGlite, against its bare limit: reading the same
 * tables' rows as text, ordered by COLLATE "C", hashed, in one read-only transaction, with no
 * catalog, role, sequence or cluster section. The ratio is what the schema and cluster sections
 * (and the fixed settings and checks) cost on top of reading the data.
 */
const TABLES = ["bench.accounts", "bench.events", "bench.tags", "bench.blobs", "bench.notes"];

const FIXTURE = `
CREATE SCHEMA bench;
CREATE TABLE bench.accounts (id int PRIMARY KEY, name text NOT NULL, balance numeric(12, 2), created timestamptz);
CREATE TABLE bench.events (id int PRIMARY KEY, account_id int REFERENCES bench.accounts, kind text, payload jsonb, at timestamptz);
CREATE TABLE bench.tags (id int PRIMARY KEY, label text UNIQUE, weights float8[]);
CREATE TABLE bench.blobs (id int PRIMARY KEY, data bytea);
CREATE TABLE bench.notes (id int PRIMARY KEY, body text);
CREATE INDEX events_account ON bench.events (account_id);
INSERT INTO bench.accounts SELECT i, 'account ' || i, i * 10.25, '2024-01-01'::timestamptz + i * interval '1 hour' FROM generate_series(1, 200) i;
INSERT INTO bench.events SELECT i, 1 + i % 200, CASE WHEN i % 2 = 0 THEN 'debit' ELSE 'credit' END,
  jsonb_build_object('n', i, 'tags', jsonb_build_array('a', i)), '2024-02-01'::timestamptz + i * interval '1 minute' FROM generate_series(1, 200) i;
INSERT INTO bench.tags SELECT i, 'tag-' || i, ARRAY[i / 3.0, -i, 0.1] FROM generate_series(1, 200) i;
INSERT INTO bench.blobs SELECT i, decode(md5(i::text), 'hex') FROM generate_series(1, 200) i;
INSERT INTO bench.notes SELECT i, 'note ' || i || ' — é ü 日本 ' || repeat('x', i % 40) FROM generate_series(1, 200) i;
`;

/** The bare limit: the same rows, same order, same hash, nothing else. */
async function readRowsOnly(session: SqlSession): Promise<string> {
  const hash = createHash("sha256");
  await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    for (const table of TABLES) {
      const { rows } = await session.query(
        `SELECT x.r FROM (SELECT pg_catalog.textin(pg_catalog.record_out(t.*)) AS r FROM ONLY ${table} AS t) AS x
         ORDER BY x.r COLLATE pg_catalog."C"`,
      );
      for (const row of rows) hash.update(`${String(row.r)}\n`);
    }
  } finally {
    await session.query("ROLLBACK");
  }
  return hash.digest("hex");
}

let db: SqlDatabase | undefined;

export const suite: BenchSuite = {
  name: "digest",
  async pairs() {
    const database = await openPglite();
    db = database;
    await database.exec(FIXTURE);
    return [
      {
        group: "digest (PGlite, 5 tables, 1,000 rows; goal >= 0.3)",
        subject: {
          name: "digestDatabase",
          fn: async () => {
            const result = await digestDatabase(database);
            if (!result.ok) throw new Error(`digest failed: ${result.error.message}`);
          },
        },
        limit: { name: "rows as text only", fn: () => database.withSession(readRowsOnly) },
        opsPerRound: 3,
      },
    ];
  },
  async teardown() {
    await db?.close();
    db = undefined;
  },
};
