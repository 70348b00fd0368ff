/**
 * Migrations that attack the rehearsal lane's own session rather than the clone (issues #14 and
 * #18): through function bodies and dynamic SQL the classifier cannot look into, they change the
 * session's encoding, search path, timeouts and role, shadow the types and functions the lane's
 * reads use with objects in pg_temp, commit violations that only COMMIT would see, kill their own
 * backend, or hold session state past the rehearsal. Plain data, no imports: P08 draws from it.
 *
 * Each entry is built so that its only effect on the clone is the attack itself, and a correct
 * lane answers it FAIL (no_change, server_error, sequence_drift, escape_detected, …) or REFUSED in
 * transactional mode on every engine, and in snapshot_restore mode except where noted in
 * `describe` (a change to the embedded cluster's own roles or database, which PGlite's directory
 * restore undoes whole, may PASS there). The SQL uses `ticket_seq`, which the reference clones
 * hold; where it is missing the migration fails, which is a FAIL too.
 */
export const LANE_SESSION_ESCAPES: readonly {
  readonly rule: "C3" | "C4" | "C5" | "C6" | "C2";
  readonly name: string;
  readonly sql: string;
  readonly describe: string;
}[] = [
  {
    rule: "C5",
    name: "client-encoding-gb18030-noop",
    sql: `CREATE FUNCTION fc_enc() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET client_encoding = 'GB18030'; END $$;
SELECT fc_enc();
DROP FUNCTION fc_enc();
`,
    describe:
      "a no-op that leaves the session's client_encoding GB18030: the lane's after_apply must not read other bytes and take them for a change (was PASS), nor hang",
  },
  {
    rule: "C5",
    name: "client-encoding-latin1-noop",
    sql: `CREATE FUNCTION fc_enc() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET client_encoding = 'LATIN1'; END $$;
SELECT fc_enc();
DROP FUNCTION fc_enc();
`,
    describe:
      "a no-op that leaves client_encoding LATIN1 (on PGlite this made the digest run until the lane's limit)",
  },
  {
    rule: "C5",
    name: "pg-temp-text-domain-shadow",
    sql: `CREATE DOMAIN pg_temp.text AS pg_catalog.int4 CHECK (VALUE < 0);
CREATE FUNCTION fc_path() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET search_path = pg_temp, public; END $$;
SELECT fc_path();
DROP FUNCTION public.fc_path();
`,
    describe:
      "a domain pg_temp.text with pg_temp first on the search path: an unqualified ::text cast in the lane's transaction-id check breaks (was FAIL internal_error with the repair skipped)",
  },
  {
    rule: "C5",
    name: "pg-temp-shadow-with-sequence",
    sql: `SELECT pg_catalog.nextval('ticket_seq');
CREATE DOMAIN pg_temp.text AS pg_catalog.int4;
CREATE FUNCTION pg_temp.current_setting(text) RETURNS text LANGUAGE sql AS $$ SELECT 'x'::pg_catalog.text $$;
CREATE FUNCTION fc_path() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET search_path = pg_temp, public; END $$;
SELECT fc_path();
DROP FUNCTION public.fc_path();
SELECT pg_catalog.setval('ticket_seq', 1);
`,
    describe:
      "sequences moved, then the lane's types and functions shadowed in pg_temp: the sequence repair must still run (transactional: FAIL sequence_drift, clone repaired; snapshot_restore: the restore undoes it, may PASS only there)",
  },
  {
    rule: "C5",
    name: "pg-temp-catalog-table-shadow",
    sql: `CREATE TEMP TABLE pg_class (oid oid, relname name, relkind "char", relnamespace oid);
CREATE TEMP TABLE pg_namespace (oid oid, nspname name);
CREATE FUNCTION fc_path() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET search_path = pg_temp, pg_catalog, public; END $$;
SELECT public.fc_path();
DROP FUNCTION public.fc_path();
`,
    describe: "temporary tables named like the catalog, searched first: the lane reads the real catalog",
  },
  {
    rule: "C3",
    name: "deferred-foreign-key-violation",
    sql: `CREATE TABLE fc_parent (id int PRIMARY KEY);
CREATE TABLE fc_child (parent int REFERENCES fc_parent DEFERRABLE INITIALLY DEFERRED);
INSERT INTO fc_child VALUES (1);
`,
    describe:
      "a foreign key checked only at COMMIT: transactional mode never commits, so it must check deferred constraints itself (was PASS for a migration that can never be applied)",
  },
  {
    rule: "C3",
    name: "deferred-unique-violation",
    sql: `CREATE TABLE fc_unique (a int UNIQUE DEFERRABLE INITIALLY DEFERRED);
INSERT INTO fc_unique VALUES (1), (1);
`,
    describe: "a deferrable unique constraint violated until COMMIT",
  },
  {
    rule: "C3",
    name: "deferred-constraint-trigger",
    sql: `CREATE TABLE fc_guarded (a int);
CREATE FUNCTION fc_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused late'; END $$;
CREATE CONSTRAINT TRIGGER fc_at_commit AFTER INSERT ON fc_guarded DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fc_refuse();
INSERT INTO fc_guarded VALUES (1);
`,
    describe: "a constraint trigger that fails at COMMIT",
  },
  {
    rule: "C3",
    name: "deferred-after-set-constraints-deferred",
    sql: `CREATE TABLE fc_parent2 (id int PRIMARY KEY);
CREATE TABLE fc_child2 (parent int REFERENCES fc_parent2 DEFERRABLE INITIALLY IMMEDIATE);
CREATE FUNCTION fc_defer() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET CONSTRAINTS ALL DEFERRED; INSERT INTO fc_child2 VALUES (7); END $$;
SELECT fc_defer();
`,
    describe: "constraints deferred from dynamic SQL, then violated",
  },
  {
    rule: "C3",
    name: "statement-timeout-off-then-sleep",
    sql: `CREATE FUNCTION fc_wait() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET statement_timeout = 0; PERFORM pg_catalog.pg_sleep(3600); END $$;
SELECT fc_wait();
`,
    describe:
      "switches the session's statement_timeout off and sleeps: the lane's deadline is kept from outside the session",
  },
  {
    rule: "C3",
    name: "every-timeout-off-then-loop",
    sql: `CREATE FUNCTION fc_loop() RETURNS void LANGUAGE plpgsql AS $$ BEGIN
  SET statement_timeout = 0;
  SET lock_timeout = 0;
  SET idle_in_transaction_session_timeout = 0;
  LOOP PERFORM pg_catalog.pg_sleep(0.05); END LOOP;
END $$;
SELECT fc_loop();
`,
    describe: "every timeout the session can reach switched off, then an endless loop",
  },
  {
    rule: "C3",
    name: "terminate-own-backend",
    sql: `SELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid());
`,
    describe:
      "the migration kills its own session: FAIL with evidence, never a crash (PGlite ignores the signal: FAIL no_change)",
  },
  {
    rule: "C3",
    name: "terminate-own-backend-after-nextval",
    sql: `SELECT pg_catalog.nextval('ticket_seq');
DO $$ BEGIN PERFORM pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid()); END $$;
SELECT pg_catalog.setval('ticket_seq', 1);
`,
    describe:
      "a sequence moved, then the session killed from a function: no sequence may stay advanced (PGlite ignores the signal: snapshot_restore may PASS there)",
  },
  {
    rule: "C3",
    name: "idle-session-timeout-tiny",
    sql: `CREATE FUNCTION fc_idle() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET idle_session_timeout = 1; SET idle_in_transaction_session_timeout = 1; END $$;
SELECT fc_idle();
DROP FUNCTION fc_idle();
`,
    describe: "the server ends the session the moment the lane pauses between two statements",
  },
  {
    rule: "C3",
    name: "advisory-lock-outlives-rehearsal",
    sql: `DO $$ BEGIN PERFORM pg_catalog.pg_advisory_lock(4242); PERFORM pg_catalog.pg_advisory_lock_shared(4343); END $$;
`,
    describe: "session-level advisory locks survive ROLLBACK: they must not outlive the rehearsal's session",
  },
  {
    rule: "C3",
    name: "prepared-statement-and-temp-objects",
    sql: `PREPARE fc_left_behind AS SELECT 1;
CREATE TEMP TABLE fc_temp_left (a int);
`,
    describe: "prepared statements and temporary objects in the lane's session: none may survive it",
  },
  {
    rule: "C3",
    name: "session-role-switch",
    sql: `CREATE FUNCTION fc_role() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET ROLE NONE; SET row_security = on; SET transform_null_equals = on; END $$;
SELECT fc_role();
DROP FUNCTION fc_role();
`,
    describe: "role and row security switched from dynamic SQL before the lane's reads",
  },
  {
    rule: "C4",
    name: "alter-own-role-settings",
    sql: `DO $$ BEGIN
  EXECUTE pg_catalog.format('ALTER ROLE %I SET search_path = pg_temp, public', CURRENT_USER);
  EXECUTE pg_catalog.format('ALTER ROLE %I SET default_transaction_read_only = on', CURRENT_USER);
END $$;
`,
    describe:
      "the lane role's own settings changed through a function: outside the clone's database, so a server's snapshot restore does not undo them; restored or the clone is refused as dirty (PGlite's directory restore undoes them: may PASS in snapshot_restore there)",
  },
  {
    rule: "C4",
    name: "alter-own-database",
    sql: `DO $$ BEGIN
  EXECUTE pg_catalog.format('ALTER DATABASE %I SET client_encoding = %L', pg_catalog.current_database(), 'LATIN1');
  EXECUTE pg_catalog.format('ALTER DATABASE %I IS_TEMPLATE true', pg_catalog.current_database());
END $$;
`,
    describe:
      "the clone's own database made a template (which DROP refuses) with a new default encoding: restored or refused as dirty (PGlite's directory restore undoes it: may PASS in snapshot_restore there)",
  },
  {
    rule: "C6",
    name: "xid-check-shadow-with-real-change",
    sql: `CREATE TABLE fc_real_change (a int);
CREATE DOMAIN pg_temp.text AS pg_catalog.int4 CHECK (VALUE < 0);
CREATE FUNCTION fc_path() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET search_path = pg_temp, public; SET client_encoding = 'LATIN1'; END $$;
SELECT fc_path();
SELECT pg_catalog.nextval('ticket_seq');
`,
    describe:
      "a real change with the lane's reads shadowed and its encoding switched: transactional FAIL sequence_drift with the clone repaired (snapshot_restore may PASS: the restore undoes the sequence)",
  },
];
