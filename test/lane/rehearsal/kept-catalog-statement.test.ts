/**
 * The folded catalog statement kept prepared in PGlite's kept session (issue #17,
 * digest/kept-statement.ts). The migration runs in that session and PREPARE/DEALLOCATE ignore
 * ROLLBACK, so it can drop the lane's statement or put its own under the same name. A forged
 * statement that answers the catalog as it was before the migration would make after_apply equal
 * before (a real change judged no_change, or a changed catalog hidden): the lane must never
 * EXECUTE it, and the reset must not keep it.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import type { SqlDatabase, SqlSession } from "../../../src/lane/db/session.js";
import { cloneBackend, type CloneBackend } from "../../../src/lane/rehearsal/clone/backend.js";
import { ANCHOR_COLUMNS } from "../../../src/lane/rehearsal/digest/anchor.js";
import { CATALOG_STATEMENT } from "../../../src/lane/rehearsal/digest/folded-catalog.js";
import { keptStatement } from "../../../src/lane/rehearsal/digest/kept-statement.js";
import { SHIPPED_LANE_COMPONENTS } from "../../../src/lane/rehearsal/components.js";
import { runTransactional } from "../../../src/lane/rehearsal/run-modes.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  makePgliteClone,
  pgliteLaneConfig,
  shippedRunInput,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";

type Row = Record<string, unknown>;

/** What the session holds under the lane's name: its text and whether it came from SQL. */
async function heldStatements(db: SqlSession): Promise<Row[]> {
  const { rows } = await db.query(
    "SELECT name, statement, from_sql FROM pg_catalog.pg_prepared_statements ORDER BY name",
  );
  return [...rows];
}

/** The catalog statement's row as the shipped digest reads it, on `db`'s one session. */
async function catalogRow(db: SqlDatabase): Promise<Row> {
  let row: Row | undefined;
  await db.withSession(async (session) => {
    const recording: SqlSession = {
      async query(sql, params) {
        const result = await session.query(sql, params);
        const first = result.rows[0];
        if (first !== undefined && "s0" in first) row = { ...first };
        return result;
      },
      exec: (sql) => session.exec(sql),
    };
    const digest = await SHIPPED_LANE_COMPONENTS.digest(recording);
    expect(digest.ok).toBe(true);
  });
  if (row === undefined) throw new Error("the digest read no catalog row");
  return row;
}

/**
 * A statement under the lane's name that answers `row`'s catalog (the clone before the
 * migration) with the live anchor, so that nothing but its provenance tells it apart.
 */
function forgedCatalog(row: Row): string {
  const sections = Object.keys(row).filter((key) => /^s[0-9]+$/.test(key));
  const literals = sections.map((key) => {
    const value = String(row[key]);
    if (value.includes("$fc_forged$")) throw new Error("the dollar quote occurs in the catalog");
    return `$fc_forged$${value}$fc_forged$::pg_catalog.text AS ${key}`;
  });
  return `PREPARE ${CATALOG_STATEMENT.name} AS SELECT ${ANCHOR_COLUMNS}, ${literals.join(", ")}`;
}

describe("keptStatement on one PGlite session", () => {
  let pg: PGlite;
  let session: SqlSession;
  const statement = keptStatement(
    "fc_kept_test",
    "SELECT pg_catalog.count(*)::int AS n FROM pg_catalog.pg_class",
  );
  beforeAll(async () => {
    pg = await PGlite.create();
    session = {
      query: async (sql, params) => ({ rows: (await pg.query<Row>(sql, params ? [...params] : [])).rows }),
      exec: async (sql) => {
        await pg.exec(sql);
      },
    };
  });
  afterAll(async () => {
    await pg?.close();
  });

  it("must stay quiet: prepares once, then executes the kept plan, answering what the plain text answers", async () => {
    const plain = (await session.query("SELECT pg_catalog.count(*)::int AS n FROM pg_catalog.pg_class")).rows;
    expect((await statement.run(session)).rows).toEqual(plain);
    expect((await statement.run(session)).rows).toEqual(plain);
    const { rows } = await session.query(
      "SELECT statement, from_sql, generic_plans FROM pg_catalog.pg_prepared_statements WHERE name = 'fc_kept_test'",
    );
    expect(rows).toEqual([{ statement: statement.prepare, from_sql: true, generic_plans: 2 }]);
  });

  it("must fire: another statement under its name is never executed, and is left for the reset", async () => {
    await session.exec("DEALLOCATE fc_kept_test");
    await session.exec("PREPARE fc_kept_test AS SELECT -1 AS n");
    const plain = (await session.query("SELECT pg_catalog.count(*)::int AS n FROM pg_catalog.pg_class")).rows;
    expect((await statement.run(session)).rows).toEqual(plain);
    // The same text with one byte more is not the lane's either.
    await session.exec("DEALLOCATE fc_kept_test");
    await session.exec(`${statement.prepare.replace("SELECT", "SELECT -1 AS n --")}`);
    expect((await statement.run(session)).rows).toEqual(plain);
    expect(await heldStatements(session)).toEqual([
      {
        name: "fc_kept_test",
        statement: statement.prepare.replace("SELECT", "SELECT -1 AS n --"),
        from_sql: true,
      },
    ]);
    await session.exec("DEALLOCATE fc_kept_test");
  });

  it("prepares inside a read-only REPEATABLE READ transaction and inside a savepoint, and outlives their rollback", async () => {
    await session.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await statement.run(session);
    await session.exec("ROLLBACK");
    await session.exec("BEGIN; SAVEPOINT fc_s");
    await statement.run(session);
    await session.exec("ROLLBACK TO SAVEPOINT fc_s; ROLLBACK");
    expect((await heldStatements(session)).map((r) => r.statement)).toEqual([statement.prepare]);
  });

  it("refuses a name it would have to quote", () => {
    expect(() => keptStatement("Fc; DROP", "SELECT 1")).toThrow(/identifier/);
  });
});

describe("a migration that replaces the lane's kept catalog statement (#17)", () => {
  let root: Awaited<ReturnType<typeof tempRoot>>;
  let backend: CloneBackend;
  let db: SqlDatabase;
  beforeAll(async () => {
    root = await tempRoot("fc-kept-catalog-");
    const dir = await makePgliteClone(join(root.dir, "clone"), { setupSql: CLONE_SETUP_SQL, name: "kept" });
    const { config } = await writeLaneConfig(
      join(root.dir, "lane.json"),
      pgliteLaneConfig(dir, join(root.dir, "evidence"), { statement_timeout_ms: 5_000 }),
    );
    backend = cloneBackend(config);
    db = await backend.open();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await root?.remove();
  });

  it("must fire: a forged statement answering the catalog as before is never read; after_apply sees the change", async () => {
    const forged = forgedCatalog(await catalogRow(db));
    const given = db;
    const out = await runTransactional(
      db,
      shippedRunInput(backend, `${CLEAN_MIGRATION}DEALLOCATE ${CATALOG_STATEMENT.name};\n${forged};\n`),
    );
    db = out.db ?? db;
    expect(out.observation.serverError).toBe(false);
    expect(out.observation.afterApply?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(out.observation.afterApply?.digest).not.toBe(out.observation.before?.digest);
    expect(out.observation.afterRollback?.digest).toBe(out.observation.before?.digest);
    expect(out).toMatchObject({ kept: true, clean: true });
    expect(out.db).toBe(given);
    // The reset dropped the forgery; the next read prepared the lane's own again.
    expect(await heldStatements(db)).toEqual([
      { name: CATALOG_STATEMENT.name, statement: CATALOG_STATEMENT.prepare, from_sql: true },
    ]);
  });

  it("must stay quiet: a migration that only drops the lane's statement changes nothing read", async () => {
    const out = await runTransactional(db, shippedRunInput(backend, `${CLEAN_MIGRATION}DEALLOCATE ALL;\n`));
    db = out.db ?? db;
    expect(out).toMatchObject({ kept: true, clean: true });
    expect(out.observation.afterApply?.digest).not.toBe(out.observation.before?.digest);
    expect(out.observation.afterRollback?.digest).toBe(out.observation.before?.digest);
    const plain = await runTransactional(db, shippedRunInput(backend, CLEAN_MIGRATION));
    expect(plain.observation.afterApply?.digest).toBe(out.observation.afterApply?.digest);
  });
});
