import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../../src/lane/db/pglite.js";
import type { SqlDatabase, SqlRows, SqlSession, SqlValue } from "../../../src/lane/db/session.js";
import { escapeField, ScopeWriter, sortBytewise } from "../../../src/lane/rehearsal/digest/canonical.js";
import { normaliseViewDefinition } from "../../../src/lane/rehearsal/digest/viewdef.js";
import {
  digestDatabase,
  isDigestHex,
  type DatabaseDigest,
} from "../../../src/lane/rehearsal/digest/digest.js";
import { DROP_RICH_FIXTURE, richFixtureScripts } from "./digest-fixture.js";

// One PGlite for the whole file (a boot costs seconds). Every change is made inside a
// transaction that is rolled back, the way C3 rehearses, except where a test says otherwise and
// restores the state itself.
let db: SqlDatabase;
let base: DatabaseDigest;

async function digestOf(session: SqlSession = db): Promise<DatabaseDigest> {
  const result = await digestDatabase(session);
  if (!result.ok) throw new Error(`digest failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** Applies `sql` in a REPEATABLE READ transaction, digests inside it (as C3 does), rolls back. */
async function digestWith(sql: string): Promise<DatabaseDigest> {
  return db.withSession(async (session) => {
    await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    try {
      await session.exec(sql);
      return await digestOf(session);
    } finally {
      await session.query("ROLLBACK");
    }
  });
}

function changedSections(a: DatabaseDigest, b: DatabaseDigest): string[] {
  const names = new Set([...Object.keys(a.sections), ...Object.keys(b.sections)]);
  return [...names].filter((name) => a.sections[name] !== b.sections[name]).sort();
}

beforeAll(async () => {
  db = await openPglite();
  for (const script of richFixtureScripts("forward")) await db.exec(script);
  base = await digestOf();
});

afterAll(async () => {
  await db.close();
});

describe("canonical text", () => {
  it("escapes fields so values can never imitate a line, a field or NULL", () => {
    expect(escapeField("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(escapeField(null)).toBe("\\N");
    expect(escapeField("\\N")).not.toBe(escapeField(null));
  });

  it('sorts in UTF-8 byte order (COLLATE "C"), not UTF-16 order', () => {
    // U+FFFD sorts before U+1F600 in UTF-8 bytes but after it in UTF-16 code units.
    expect(sortBytewise(["😀", "\uFFFD", "b", "B", "a"])).toEqual(["B", "a", "b", "\uFFFD", "😀"]);
  });

  it("refuses sections out of order, so the text is canonical by construction", () => {
    const writer = new ScopeWriter("test v1");
    writer.wholeSection("b", []);
    expect(() => writer.section("a")).toThrow(/out of order/);
  });

  it("rewrites PG 15's qualified single-relation view text into the PG 16+ form, and only that", async () => {
    const pg15 = ` SELECT o.id,\n    (o.amount)::text AS a\n   FROM app.orders o\n  WHERE (o.note IS NOT NULL)\n  ORDER BY o.id;`;
    expect(await normaliseViewDefinition(pg15)).toBe(
      ` SELECT id,\n    (amount)::text AS a\n   FROM app.orders o\n  WHERE (note IS NOT NULL)\n  ORDER BY id;`,
    );
    expect(await normaliseViewDefinition(` SELECT orders.id FROM app.orders;`)).toBe(
      ` SELECT id FROM app.orders;`,
    );
    expect(await normaliseViewDefinition(` SELECT "É t".x, "É t".* FROM s."É t";`)).toBe(
      ` SELECT x, "É t".* FROM s."É t";`,
    );
    // Subqueries, joins and set operations print alike on both versions: untouched.
    const sub = ` SELECT o.id FROM app.orders o WHERE (EXISTS ( SELECT 1 FROM app.c c WHERE (c.id = o.id)));`;
    expect(await normaliseViewDefinition(sub)).toBe(
      ` SELECT id FROM app.orders o WHERE (EXISTS ( SELECT 1 FROM app.c c WHERE (c.id = o.id)));`,
    );
    const join = ` SELECT c.id FROM (app.c c JOIN app.o o ON ((o.c = c.id)));`;
    expect(await normaliseViewDefinition(join)).toBe(join);
    const union = ` SELECT a.x FROM a UNION SELECT b.x FROM b;`;
    expect(await normaliseViewDefinition(union)).toBe(union);
  });
});

describe("digestDatabase on PGlite", () => {
  it("returns a well-formed digest with sorted sections and their line counts", () => {
    expect(isDigestHex(base.digest)).toBe(true);
    expect(isDigestHex(base.cluster.digest)).toBe(true);
    const names = Object.keys(base.sections);
    expect(names).toEqual(sortBytewise(names));
    expect(Object.keys(base.counts)).toEqual(names);
    for (const hex of Object.values(base.sections)) expect(isDigestHex(hex)).toBe(true);
    expect(base.counts["table:app.customers"]).toBe(4);
    expect(base.counts['table:"Audit Log"."Événements"']).toBe(3);
    expect(base.counts["table:app.measurements_2024"]).toBe(2);
    expect(base.sections["table:app.measurements"]).toBeUndefined(); // a partitioned parent holds no rows
    expect(base.counts["sequence:app.ticket_seq"]).toBe(1);
    expect(base.totals).toEqual({ tables: 10, rows: 23, sequences: 3 });
  });

  it("is stable: the same state digests the same, idle, in a caller's transaction, or through withSession", async () => {
    expect((await digestOf()).digest).toBe(base.digest);
    expect((await digestWith("SELECT 1")).digest).toBe(base.digest);
    expect((await db.withSession((session) => digestOf(session))).digest).toBe(base.digest);
  });

  it.each([
    [5_000, "one batch"],
    [10_000, "a cursor, ending on an empty fetch"],
    [12_001, "a cursor, ending on a short fetch"],
  ])("reads %i rows through %s into exactly the block the canonical text defines", async (rows) => {
    await db.withSession(async (session) => {
      await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      try {
        await session.exec(`CREATE TABLE app.big (n int, t text);
          INSERT INTO app.big SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'v' || (i * 7919 % 10007) || E'\\t' END
          FROM generate_series(1, ${rows}) AS i;`);
        const digest = await digestOf(session);
        // Independently: every row's text, byte-sorted, escaped, framed as a section. The column is
        // named t on purpose: a digest that wrote `FROM app.big t` and read `t` would get the column.
        const { rows: texts } = await session.query("SELECT b::text AS r FROM app.big AS b");
        const lines = sortBytewise(texts.map((row) => String(row.r))).map(escapeField);
        const block = `section\ttable:app.big\n${lines.map((line) => `${line}\n`).join("")}end\ttable:app.big\t${rows}\n`;
        expect(digest.counts["table:app.big"]).toBe(rows);
        expect(digest.sections["table:app.big"]).toBe(createHash("sha256").update(block).digest("hex"));
      } finally {
        await session.query("ROLLBACK");
      }
    });
  });

  describe("must fire", () => {
    const cases: Array<[string, string, string[]]> = [
      [
        "a changed row value",
        "UPDATE app.customers SET balance = balance + 0.01 WHERE id = 1",
        ["table:app.customers"],
      ],
      [
        "NULL becoming an empty string",
        "UPDATE app.customers SET name = '' WHERE id = 2",
        ["table:app.customers"],
      ],
      ["a float's sign of zero", "UPDATE app.customers SET ratio = 0 WHERE id = 3", ["table:app.customers"]],
      [
        "an added row",
        `INSERT INTO "Audit Log"."Événements" VALUES (NULL, NULL, NULL)`,
        ['table:"Audit Log"."Événements"'],
      ],
      ["a deleted row", "DELETE FROM app.orders WHERE id = 5", ["table:app.orders"]],
      [
        "a row in a partition",
        "INSERT INTO app.measurements VALUES ('2022-01-01', 1)",
        ["table:app.measurements_rest"],
      ],
      ["a row in an inheritance child", "DELETE FROM app.child_log", ["table:app.child_log"]],
      [
        "a refreshed materialized view",
        "UPDATE app.orders SET amount = 11 WHERE id = 1; REFRESH MATERIALIZED VIEW app.order_totals",
        ["table:app.order_totals", "table:app.orders"],
      ],
      ["a changed large object", "SELECT lo_put(424242, 0, '\\x4a')", ["large-objects"]],
      [
        "a changed column default",
        "ALTER TABLE app.customers ALTER COLUMN balance SET DEFAULT 5",
        ["schema:columns"],
      ],
      ["a dropped NOT NULL", "ALTER TABLE app.orders ALTER COLUMN amount DROP NOT NULL", ["schema:columns"]],
      ["an added index", "CREATE INDEX orders_amount_idx ON app.orders (amount)", ["schema:indexes"]],
      [
        "a changed function body",
        "CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        ["schema:functions"],
      ],
      ["a changed function attribute", "ALTER FUNCTION app.total(bigint) VOLATILE", ["schema:functions"]],
      ["a changed grant", "GRANT INSERT ON app.customers TO PUBLIC", ["schema:relations"]],
      ["a revoked column grant", "REVOKE SELECT (amount) ON app.orders FROM PUBLIC", ["schema:columns"]],
      [
        "a changed function grant",
        "GRANT EXECUTE ON FUNCTION app.total(bigint) TO PUBLIC",
        ["schema:functions"],
      ],
      ["a changed comment", "COMMENT ON TABLE app.customers IS 'other'", ["schema:comments"]],
      ["a removed comment", "COMMENT ON COLUMN app.customers.email IS NULL", ["schema:comments"]],
      [
        "a changed policy",
        "ALTER POLICY orders_visible ON app.orders USING (amount >= 0)",
        ["schema:policies"],
      ],
      [
        "row level security switched off",
        "ALTER TABLE app.orders DISABLE ROW LEVEL SECURITY",
        ["schema:relations"],
      ],
      ["a disabled trigger", "ALTER TABLE app.orders DISABLE TRIGGER orders_touch", ["schema:triggers"]],
      ["disabled foreign key triggers", "ALTER TABLE app.orders DISABLE TRIGGER ALL", ["schema:triggers"]],
      ["an added enum value", "ALTER TYPE app.mood ADD VALUE 'ecstatic'", ["schema:types"]],
      [
        "a changed domain check",
        "ALTER DOMAIN app.positive_int DROP CONSTRAINT positive_int_check",
        ["schema:constraints"],
      ],
      [
        "a redefined view",
        `CREATE OR REPLACE VIEW app.named_orders WITH (security_barrier = true) AS
           SELECT o.id, CASE WHEN o.amount > 100 THEN 'large' ELSE 'small' END AS size, o.amount::text AS amount_text
           FROM app.orders o WHERE o.note IS NOT NULL WITH CASCADED CHECK OPTION`,
        ["schema:relations"],
      ],
      ["a changed sequence definition", "ALTER SEQUENCE app.ticket_seq INCREMENT 7", ["schema:sequences"]],
      ["a changed table option", "ALTER TABLE app.customers SET (fillfactor = 80)", ["schema:relations"]],
      ["a CLUSTER mark", "ALTER TABLE app.orders CLUSTER ON orders_pkey", ["schema:indexes"]],
      ["a new schema", "CREATE SCHEMA extra", ["schema:namespaces"]],
      [
        "a changed default privilege",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE SELECT ON TABLES FROM PUBLIC",
        ["schema:objects"],
      ],
      [
        "a new operator",
        "CREATE OPERATOR app.<<< (LEFTARG = text, RIGHTARG = text, FUNCTION = text_lt)",
        ["schema:objects"],
      ],
      [
        "a database setting",
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '8MB'); END $$",
        ["database"],
      ],
      ["a setting of the owner role", "ALTER ROLE CURRENT_USER SET work_mem = '8MB'", ["roles"]],
    ];

    it.each(cases)(
      "%s changes the digest, in exactly the expected sections",
      async (_label, sql, expected) => {
        const after = await digestWith(sql);
        expect(after.digest).not.toBe(base.digest);
        expect(changedSections(base, after)).toEqual(expected);
      },
    );

    it("an ownership change shows in the owner and in the roles in scope", async () => {
      const after = await digestWith(
        "CREATE ROLE fc_digest_owner2; ALTER TABLE app.scratch OWNER TO fc_digest_owner2",
      );
      expect(changedSections(base, after)).toEqual(expect.arrayContaining(["roles", "schema:relations"]));
    });

    it("a new role changes the cluster digest, and the database digest once the database refers to it", async () => {
      const created = await digestWith("CREATE ROLE fc_digest_new_role");
      expect(created.cluster.digest).not.toBe(base.cluster.digest);
      expect(created.cluster.sections["cluster:roles"]).not.toBe(base.cluster.sections["cluster:roles"]);
      // Nothing in this database refers to the role yet: the database's own state is unchanged.
      expect(created.digest).toBe(base.digest);
      const granted = await digestWith(
        "CREATE ROLE fc_digest_new_role; GRANT SELECT ON app.orders TO fc_digest_new_role",
      );
      expect(changedSections(base, granted)).toEqual(["roles", "schema:relations"]);
      const member = await digestWith(
        "CREATE ROLE fc_digest_new_role; CREATE ROLE fc_digest_member; GRANT SELECT ON app.orders TO fc_digest_new_role; GRANT fc_digest_new_role TO fc_digest_member",
      );
      expect(member.sections.roles).not.toBe(granted.sections.roles);
    });

    it("setval and nextval change only that sequence's section (they escape a rollback; C6 names it)", async () => {
      try {
        const set = await digestWith("SELECT setval('app.ticket_seq', 999)");
        expect(changedSections(base, set)).toEqual(["sequence:app.ticket_seq"]);
        await db.query("SELECT setval('app.ticket_seq', 110, true)");
        const uncalled = await digestWith("SELECT setval('app.ticket_seq', 110, false)");
        expect(changedSections(base, uncalled)).toEqual(["sequence:app.ticket_seq"]);
        await db.query("SELECT setval('app.ticket_seq', 110, true)");
        // A migration's INSERT draws from the sequence, and its ROLLBACK does not give it back.
        await digestWith("INSERT INTO app.customers (id, email) VALUES (9, 'n@example.com')");
        const afterRollback = await digestOf();
        expect(changedSections(base, afterRollback)).toEqual(["sequence:app.ticket_seq"]);
      } finally {
        await db.query("SELECT setval('app.ticket_seq', 110, true)");
      }
      expect((await digestOf()).digest).toBe(base.digest);
    });
  });

  describe("must stay quiet", () => {
    it("ignores VACUUM FULL, ANALYZE, REINDEX and CHECKPOINT", async () => {
      // One statement at a time: VACUUM refuses to run inside a multi-statement script's transaction.
      for (const sql of ["VACUUM FULL", "VACUUM ANALYZE", "REINDEX SCHEMA app", "CHECKPOINT"])
        await db.query(sql);
      const after = await digestOf();
      expect(changedSections(base, after)).toEqual([]);
      expect(after.digest).toBe(base.digest);
    });

    it("is not fooled by temporary tables named like catalogs or user tables", async () => {
      await db.exec(`CREATE TEMP TABLE pg_class (relname text); CREATE TEMP TABLE pg_namespace (nspname text);
        CREATE TEMP TABLE customers (id int); INSERT INTO customers VALUES (1);
        CREATE TEMP SEQUENCE ticket_seq; SET search_path = pg_temp, app, public;`);
      try {
        expect((await digestOf()).digest).toBe(base.digest);
      } finally {
        await db.exec(
          "RESET search_path; DROP TABLE pg_temp.pg_class, pg_temp.pg_namespace, pg_temp.customers; DROP SEQUENCE pg_temp.ticket_seq;",
        );
      }
    });

    it("is not fooled by functions, operators, tables and casts named like the catalog's", async () => {
      const impostors = `
        CREATE FUNCTION public.fail() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'impostor called'; END $$;
        CREATE FUNCTION public.quote_ident(text) RETURNS text LANGUAGE sql AS $$ SELECT public.fail() $$;
        CREATE FUNCTION public.format_type(oid, integer) RETURNS text LANGUAGE sql AS $$ SELECT public.fail() $$;
        CREATE FUNCTION public.starts_with(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT public.fail() IS NULL $$;
        CREATE FUNCTION public.pg_get_expr(pg_node_tree, oid) RETURNS text LANGUAGE sql AS $$ SELECT public.fail() $$;
        CREATE FUNCTION public.pg_get_viewdef(oid) RETURNS text LANGUAGE sql AS $$ SELECT public.fail() $$;
        CREATE FUNCTION public.pg_get_userbyid(oid) RETURNS name LANGUAGE sql AS $$ SELECT public.fail()::name $$;
        CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text LANGUAGE sql AS $$ SELECT public.fail() $$;
        CREATE FUNCTION public.text_never_equal(name, name) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
        CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = name, FUNCTION = public.text_never_equal);
        CREATE TABLE public.pg_class (oid oid, relname name);
        CREATE TABLE public.pg_namespace (oid oid, nspname name);
        CREATE FUNCTION public.fake_text(app.customers) RETURNS text LANGUAGE sql AS $$ SELECT 'same' $$;
        CREATE CAST (app.customers AS text) WITH FUNCTION public.fake_text(app.customers);`;
      await db.exec(impostors);
      try {
        const plain = await digestOf();
        await db.exec("SET search_path = public, pg_catalog");
        const hijacked = await digestOf();
        expect(hijacked.digest).toBe(plain.digest);
        // The impostors are objects of the database, so they are in its digest...
        expect(changedSections(base, plain)).toEqual([
          "schema:columns",
          "schema:functions",
          "schema:objects",
          "schema:relations",
          "table:public.pg_class",
          "table:public.pg_namespace",
        ]);
        // ...and the real rows are still read: a changed row still shows despite the cast.
        const changed = await digestWith("UPDATE app.customers SET name = 'Ada' WHERE id = 1");
        expect(changedSections(hijacked, changed)).toEqual(["table:app.customers"]);
      } finally {
        await db.exec(`RESET search_path;
          DROP CAST (app.customers AS text); DROP FUNCTION public.fake_text(app.customers);
          DROP TABLE public.pg_class, public.pg_namespace; DROP OPERATOR public.= (name, name);
          DROP FUNCTION public.text_never_equal(name, name), public.quote_ident(text), public.format_type(oid, integer),
            public.starts_with(text, text), public.pg_get_expr(pg_node_tree, oid), public.pg_get_viewdef(oid),
            public.pg_get_userbyid(oid), public.set_config(text, text, boolean), public.fail();`);
      }
      expect((await digestOf()).digest).toBe(base.digest);
    });

    it("leaves a caller's transaction as it found it: settings, writability, no savepoint", async () => {
      await db.withSession(async (session) => {
        await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        try {
          await session.exec("SET LOCAL TimeZone = 'Asia/Tokyo'; SET LOCAL search_path = app, public");
          expect((await digestOf(session)).digest).toBe(base.digest);
          const { rows } = await session.query(
            "SELECT current_setting('TimeZone') AS tz, current_setting('search_path') AS sp, current_setting('transaction_read_only') AS ro, current_setting('row_security') AS rls",
          );
          expect(rows[0]).toEqual({ tz: "Asia/Tokyo", sp: "app, public", ro: "off", rls: "on" });
          await session.query("INSERT INTO app.base_log VALUES ('2020-01-01', 'still writable')");
          await expect(session.query("RELEASE SAVEPOINT failclosed_digest")).rejects.toThrow();
        } finally {
          await session.query("ROLLBACK");
        }
      });
    });

    it("gives the same digest when the same state is built again in another order with new OIDs", async () => {
      await db.exec(DROP_RICH_FIXTURE);
      for (const script of richFixtureScripts("reverse")) await db.exec(script);
      const rebuilt = await digestOf();
      expect(changedSections(base, rebuilt)).toEqual([]);
      expect(rebuilt.digest).toBe(base.digest);
      expect(rebuilt.cluster.digest).toBe(base.cluster.digest);
    });
  });

  describe("fails explicitly, never with a partial digest", () => {
    it("reports digest_incomplete naming each section a role cannot read, row level security included", async () => {
      await db.withSession(async (session) => {
        await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        try {
          await session.exec(
            `CREATE ROLE fc_digest_reader; GRANT USAGE ON SCHEMA app, "Audit Log" TO fc_digest_reader;`,
          );
          const attempt = async () => {
            await session.query("SET LOCAL ROLE fc_digest_reader");
            const result = await digestDatabase(session);
            await session.query("RESET ROLE");
            // The failed digest rolled back to its savepoint: the transaction is still usable.
            await session.query("SELECT 1");
            if (result.ok) throw new Error("expected a failure");
            return result.error;
          };
          expect(await attempt()).toMatchObject({
            kind: "digest_incomplete",
            section: "large-objects",
            sqlstate: "42501",
          });
          await session.exec("GRANT SELECT ON LARGE OBJECT 424242 TO fc_digest_reader");
          expect(await attempt()).toMatchObject({
            kind: "digest_incomplete",
            section: "sequence:app.customers_id_seq",
          });
          await session.exec("GRANT SELECT ON ALL SEQUENCES IN SCHEMA app TO fc_digest_reader");
          expect(await attempt()).toMatchObject({
            kind: "digest_incomplete",
            section: 'table:"Audit Log"."Événements"',
          });
          await session.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA app, "Audit Log" TO fc_digest_reader`);
          // app.orders has row level security: reading it as a non-owner would silently drop rows.
          expect(await attempt()).toMatchObject({
            kind: "digest_incomplete",
            section: "table:app.orders",
            sqlstate: "42501",
          });
          await session.exec("ALTER TABLE app.orders DISABLE ROW LEVEL SECURITY");
          await session.query("SET LOCAL ROLE fc_digest_reader");
          const readable = await digestDatabase(session);
          await session.query("RESET ROLE");
          expect(readable.ok).toBe(true);
        } finally {
          await session.query("ROLLBACK");
        }
      });
    });

    it("refuses a caller's READ COMMITTED transaction and an aborted one, leaving them as they were", async () => {
      await db.withSession(async (session) => {
        await session.query("BEGIN");
        try {
          const result = await digestDatabase(session);
          expect(result.ok).toBe(false);
          if (!result.ok) {
            expect(result.error).toMatchObject({ kind: "digest_failed", section: "transaction" });
            expect(result.error.message).toMatch(/REPEATABLE READ/);
          }
          await session.query("SELECT 1");
        } finally {
          await session.query("ROLLBACK");
        }
        await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        try {
          await expect(session.query("SELECT 1/0")).rejects.toThrow();
          const result = await digestDatabase(session);
          expect(result).toMatchObject({
            ok: false,
            error: { kind: "digest_failed", section: "transaction", sqlstate: "25P02" },
          });
        } finally {
          await session.query("ROLLBACK");
        }
      });
    });

    it.each(["folded", "per-section"] as const)(
      "returns an error, never a digest, whichever statement fails (%s)",
      async (strategy) => {
        // Count the statements and scripts of one digest, then fail each in turn.
        let statements = 0;
        await db.withSession(async (session) => {
          const counting: SqlSession = {
            query: (sql: string, params?: readonly SqlValue[]) => {
              statements++;
              return session.query(sql, params);
            },
            exec: (sql: string) => {
              statements++;
              return session.exec(sql);
            },
          };
          expect((await digestDatabase(counting, { strategy })).ok).toBe(true);
        });
        expect(statements).toBeGreaterThan(strategy === "folded" ? 3 : 20);
        for (let failAt = 1; failAt <= statements; failAt++) {
          await db.withSession(async (session) => {
            let n = 0;
            const fail = (): boolean => ++n === failAt;
            const failing: SqlSession = {
              query: (sql: string, params?: readonly SqlValue[]): Promise<SqlRows> =>
                fail()
                  ? Promise.reject(new Error(`injected failure at statement ${n}`))
                  : session.query(sql, params),
              exec: (sql: string) =>
                fail() ? Promise.reject(new Error(`injected failure at statement ${n}`)) : session.exec(sql),
            };
            const result = await digestDatabase(failing, { strategy });
            expect(result.ok, `statement ${failAt} failed but a digest came back`).toBe(false);
            // If the injected failure hit the closing ROLLBACK, close the transaction here.
            await session.query("ROLLBACK").catch(() => undefined);
          });
        }
        expect((await digestOf()).digest).toBe(base.digest);
      },
    );

    it("fails when the session changes backend or transaction midway", async () => {
      await db.withSession(async (session) => {
        let anchors = 0;
        const drifting: SqlSession = {
          async query(sql: string, params?: readonly SqlValue[]): Promise<SqlRows> {
            const result = await session.query(sql, params);
            // An anchored statement answers a pid (the catalog's may run as EXECUTE of its name).
            if (result.rows[0]?.pid !== undefined && ++anchors === 2) {
              return { rows: result.rows.map((row) => ({ ...row, pid: "-1" })) };
            }
            return result;
          },
          exec: (sql: string) => session.exec(sql),
        };
        const result = await digestDatabase(drifting);
        expect(result).toMatchObject({ ok: false, error: { kind: "digest_failed", section: "transaction" } });
      });
    });

    it("takes a dedicated session when given a whole database handle", async () => {
      let direct = 0;
      const handle: SqlDatabase = {
        engine: "pglite",
        query: (sql, params) => {
          direct++;
          return db.query(sql, params);
        },
        exec: (sql) => {
          direct++;
          return db.exec(sql);
        },
        withSession: (fn) => db.withSession(fn),
        close: () => Promise.resolve(),
      };
      expect((await digestOf(handle)).digest).toBe(base.digest);
      expect(direct).toBe(0);
    });
  });
});
