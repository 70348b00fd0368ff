import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../../src/lane/db/pglite.js";
import { openPostgres } from "../../../src/lane/db/postgres.js";
import type { SqlDatabase, SqlSession } from "../../../src/lane/db/session.js";
import { digestDatabase, type DatabaseDigest } from "../../../src/lane/rehearsal/digest/digest.js";
import {
  adminQuery,
  createScratchDatabase,
  createScratchRole,
  hasRealServer,
  REAL_SERVER_SKIP_REASON,
  urlForDatabase,
} from "../../support/real-postgres.js";
import { richFixtureScripts } from "./digest-fixture.js";

interface Captured {
  readonly digest: DatabaseDigest;
  readonly text: string;
  readonly clusterText: string;
}

async function capture(session: SqlSession): Promise<Captured> {
  let text = "";
  let clusterText = "";
  const result = await digestDatabase(session, {
    onCanonicalText: (scope, chunk) => {
      if (scope === "database") text += chunk;
      else clusterText += chunk;
    },
  });
  if (!result.ok) throw new Error(`digest failed: ${JSON.stringify(result.error)}`);
  return { digest: result.value, text, clusterText };
}

function changedSections(a: DatabaseDigest, b: DatabaseDigest): string[] {
  const names = new Set([...Object.keys(a.sections), ...Object.keys(b.sections)]);
  return [...names].filter((name) => a.sections[name] !== b.sections[name]).sort();
}

/** The first differing line of two canonical texts, for a failure message worth reading. */
function firstDifference(a: string, b: string): string {
  const left = a.split("\n");
  const right = b.split("\n");
  const at = left.findIndex((line, i) => line !== right[i]);
  if (at < 0)
    return left.length === right.length
      ? "identical"
      : `one text is longer (${left.length} vs ${right.length} lines)`;
  return `line ${at + 1}:\n  PGlite: ${left[at]}\n  server: ${right[at]}`;
}

async function buildFixture(database: SqlDatabase): Promise<void> {
  for (const script of richFixtureScripts("forward")) await database.exec(script);
}

/** A scratch database (and, unless the admin owns it, a scratch owner role), dropped afterwards. */
async function withScratch<T>(
  options: { owner: "admin" | "role" },
  fn: (database: SqlDatabase, names: { database: string; owner: string | undefined }) => Promise<T>,
): Promise<T> {
  const role = options.owner === "role" ? await createScratchRole() : undefined;
  const scratch = await createScratchDatabase("fc_digest");
  let database: SqlDatabase | undefined;
  try {
    if (role !== undefined) await adminQuery(`ALTER DATABASE "${scratch.name}" OWNER TO "${role.name}"`);
    database = await openPostgres(urlForDatabase(scratch.name, role?.name), { max: 3 });
    return await fn(database, { database: scratch.name, owner: role?.name });
  } finally {
    await database?.close();
    await scratch.drop();
    await role?.drop();
  }
}

const title = hasRealServer()
  ? "digestDatabase on a real PostgreSQL server"
  : `digestDatabase on a real PostgreSQL server (skipped: ${REAL_SERVER_SKIP_REASON})`;

describe.skipIf(!hasRealServer())(title, () => {
  let lite: SqlDatabase;
  let reference: Captured;

  beforeAll(async () => {
    lite = await openPglite();
    await buildFixture(lite);
    reference = await capture(lite);
  });

  afterAll(async () => {
    await lite?.close();
  });

  it("gives PGlite's digest (PG 18) for the same state on PG 15, built by a superuser", async () => {
    await withScratch({ owner: "admin" }, async (database) => {
      await buildFixture(database);
      const real = await capture(database);
      expect(
        changedSections(reference.digest, real.digest),
        firstDifference(reference.text, real.text),
      ).toEqual([]);
      expect(real.digest.digest).toBe(reference.digest.digest);
      expect(real.digest.counts).toEqual(reference.digest.counts);
    });
  });

  it("gives PGlite's digest for a clone owned and filled by an ordinary role ($owner)", async () => {
    await withScratch({ owner: "role" }, async (database) => {
      await buildFixture(database);
      const real = await capture(database);
      expect(
        changedSections(reference.digest, real.digest),
        firstDifference(reference.text, real.text),
      ).toEqual([]);
      expect(real.digest.digest).toBe(reference.digest.digest);
    });
  });

  it("is not fooled by temporary tables, in its own session or another role's", async () => {
    // The stranger's temp table is recorded in pg_shdepend against the stranger: that alone must
    // not pull the stranger into the roles in scope. Roles are dropped after their database.
    const stranger = await createScratchRole();
    try {
      await withScratch({ owner: "role" }, async (database, names) => {
        await buildFixture(database);
        const before = await capture(database);
        const other = new pg.Client({ connectionString: urlForDatabase(names.database, stranger.name) });
        await other.connect();
        try {
          await other.query(`CREATE TEMP TABLE customers (id int); INSERT INTO customers VALUES (1);
            CREATE TEMP TABLE pg_class (relname text); COMMENT ON TABLE customers IS 'temporary'`);
          const own = await database.withSession(async (session) => {
            await session.exec("CREATE TEMP TABLE orders (id int); SET search_path = pg_temp, app, public");
            return capture(session);
          });
          expect(changedSections(before.digest, own.digest)).toEqual([]);
          expect(own.digest.digest).toBe(before.digest.digest);
        } finally {
          await other.end();
        }
      });
    } finally {
      await stranger.drop();
    }
  });

  it("a new role changes the cluster digest, and the database digest once the database refers to it", async () => {
    const role = await createScratchRole();
    try {
      await withScratch({ owner: "admin" }, async (database) => {
        await buildFixture(database);
        const before = await capture(database);
        await adminQuery(`DROP ROLE "${role.name}"`);
        const without = await capture(database);
        await adminQuery(`CREATE ROLE "${role.name}" LOGIN`);
        const created = await capture(database);
        expect(without.clusterText).not.toContain(role.name);
        expect(created.clusterText).toContain(role.name);
        // Nothing in this database refers to the role: the database's own state is unchanged.
        expect(created.digest.digest).toBe(before.digest.digest);
        await database.exec(`GRANT SELECT ON app.orders TO "${role.name}"`);
        const granted = await capture(database);
        expect(changedSections(before.digest, granted.digest)).toEqual(["roles", "schema:relations"]);
        expect(granted.text).toContain(role.name);
      });
    } finally {
      await role.drop();
    }
  });

  it("reports digest_incomplete for a role that cannot read a section, or whose reads RLS would filter", async () => {
    const reader = await createScratchRole();
    try {
      await withScratch({ owner: "role" }, async (database, names) => {
        await buildFixture(database);
        const asReader = await openPostgres(urlForDatabase(names.database, reader.name), { max: 1 });
        try {
          const denied = await digestDatabase(asReader);
          expect(denied).toMatchObject({
            ok: false,
            error: { kind: "digest_incomplete", section: "large-objects", sqlstate: "42501" },
          });
          await database.exec(`GRANT USAGE ON SCHEMA app, "Audit Log" TO "${reader.name}";
            GRANT SELECT ON LARGE OBJECT 424242 TO "${reader.name}";
            GRANT SELECT ON ALL SEQUENCES IN SCHEMA app TO "${reader.name}";
            GRANT SELECT ON ALL TABLES IN SCHEMA app, "Audit Log" TO "${reader.name}";`);
          // app.orders has row level security: as a non-owner the rows would be silently filtered.
          const filtered = await digestDatabase(asReader);
          expect(filtered).toMatchObject({
            ok: false,
            error: { kind: "digest_incomplete", section: "table:app.orders", sqlstate: "42501" },
          });
        } finally {
          await asReader.close();
        }
      });
    } finally {
      await reader.drop();
    }
  });

  it("digests inside a migration's transaction and sees the rollback from a fresh session; a sequence does not roll back", async () => {
    await withScratch({ owner: "role" }, async (database) => {
      await buildFixture(database);
      const before = await capture(database);
      const afterApply = await database.withSession(async (session) => {
        await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        try {
          await session.exec(
            "UPDATE app.customers SET balance = 1 WHERE id = 2; INSERT INTO app.orders (customer_id, amount) VALUES (1, 5)",
          );
          return await capture(session);
        } finally {
          await session.query("ROLLBACK");
        }
      });
      expect(changedSections(before.digest, afterApply.digest)).toEqual([
        "sequence:app.orders_id_seq",
        "table:app.customers",
        "table:app.orders",
      ]);
      const afterRollback = await capture(database);
      expect(changedSections(before.digest, afterRollback.digest)).toEqual(["sequence:app.orders_id_seq"]);
    });
  });
});
