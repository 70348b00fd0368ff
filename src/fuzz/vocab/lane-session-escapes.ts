/**
 * Migrations that attack the rehearsal lane's own session rather than the clone (issues #14 and
 * #18): through function bodies and dynamic SQL the classifier cannot look into, they change the
 * session's encoding, search path, timeouts and role, shadow the types and functions the lane's
 * reads use with objects in pg_temp, commit violations that only COMMIT would see, kill their own
 * backend, or hold session state past the rehearsal. Plain data, no imports: P08 draws from it.
 *
 * Each entry is built so that its only effect on the clone is the attack itself, and a correct
 * lane answers it FAIL (no_change, server_error, sequence_drift, escape_detected, …) or REFUSED in
 * every mode its `modes` names, on every engine; the expectation is SPEC's (`rule`), never what
 * the reference lane happens to answer. P08 draws each entry alone: the clean prefix would be a
 * real change, and a no-op entry must change nothing. The SQL uses `ticket_seq`, which the reference clones
 * hold; where it is missing the migration fails, which is a FAIL too.
 */
export type SessionEscapeRule = "C2" | "C3" | "C4" | "C5" | "C6";
export type SessionEscapeMode = "transactional" | "snapshot_restore";

export interface LaneSessionEscape {
  /**
   * The SPEC rule a lane that PASSes the entry breaks, first the one that decides (C6 for a
   * migration that in the end changes nothing, C3 for one COMMIT would reject or that kills its
   * session, C2 for a cluster-wide change), then the one whose defence it attacks (`also`).
   */
  readonly rule: SessionEscapeRule;
  readonly also?: readonly SessionEscapeRule[];
  readonly name: string;
  readonly sql: string;
  /**
   * The modes in which a PASS breaks the rule. Transactional only where a snapshot_restore may
   * legitimately PASS: a real change the restore undoes whole (PGlite's directory copy undoes
   * roles and databases too; a signal to PGlite's one backend is ignored).
   */
  readonly modes: readonly SessionEscapeMode[];
  /**
   * For entries that end only at the lane's deadline: a bounded spelling of the same attack (every
   * timeout off, then a wait of 1.5 s, then its function dropped, so it changes nothing and a
   * correct lane FAILs it whatever its deadline). The fuzzer draws this one; `sql` waits for the
   * lane's deadline and is for the lane's own tests.
   */
  readonly short?: string;
  readonly describe: string;
}

const BOTH: readonly SessionEscapeMode[] = ["transactional", "snapshot_restore"];
const TRANSACTIONAL: readonly SessionEscapeMode[] = ["transactional"];

export const LANE_SESSION_ESCAPES: readonly LaneSessionEscape[] = [
  {
    rule: "C6",
    also: ["C5"],
    name: "client-encoding-gb18030-noop",
    modes: BOTH,
    sql: `CREATE FUNCTION fc_enc() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET client_encoding = 'GB18030'; END $$;
SELECT fc_enc();
DROP FUNCTION fc_enc();
`,
    describe:
      "a no-op that leaves the session's client_encoding GB18030: the lane's after_apply must not read other bytes and take them for a change (was PASS), nor hang",
  },
  {
    rule: "C6",
    also: ["C5"],
    name: "client-encoding-latin1-noop",
    modes: BOTH,
    sql: `CREATE FUNCTION fc_enc() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET client_encoding = 'LATIN1'; END $$;
SELECT fc_enc();
DROP FUNCTION fc_enc();
`,
    describe:
      "a no-op that leaves client_encoding LATIN1 (on PGlite this made the digest run until the lane's limit)",
  },
  {
    rule: "C6",
    also: ["C5"],
    name: "pg-temp-text-domain-shadow",
    modes: BOTH,
    sql: `CREATE DOMAIN pg_temp.text AS pg_catalog.int4 CHECK (VALUE < 0);
CREATE FUNCTION fc_path() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET search_path = pg_temp, public; END $$;
SELECT fc_path();
DROP FUNCTION public.fc_path();
`,
    describe:
      "a domain pg_temp.text with pg_temp first on the search path: an unqualified ::text cast in the lane's transaction-id check breaks (was FAIL internal_error with the repair skipped)",
  },
  {
    rule: "C6",
    also: ["C5"],
    name: "pg-temp-shadow-with-sequence",
    modes: TRANSACTIONAL,
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
    rule: "C6",
    also: ["C5"],
    name: "pg-temp-catalog-table-shadow",
    modes: BOTH,
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
    modes: BOTH,
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
    modes: BOTH,
    sql: `CREATE TABLE fc_unique (a int UNIQUE DEFERRABLE INITIALLY DEFERRED);
INSERT INTO fc_unique VALUES (1), (1);
`,
    describe: "a deferrable unique constraint violated until COMMIT",
  },
  {
    rule: "C3",
    name: "deferred-constraint-trigger",
    modes: BOTH,
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
    modes: BOTH,
    sql: `CREATE TABLE fc_parent2 (id int PRIMARY KEY);
CREATE TABLE fc_child2 (parent int REFERENCES fc_parent2 DEFERRABLE INITIALLY IMMEDIATE);
CREATE FUNCTION fc_defer() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET CONSTRAINTS ALL DEFERRED; INSERT INTO fc_child2 VALUES (7); END $$;
SELECT fc_defer();
`,
    describe: "constraints deferred from dynamic SQL, then violated",
  },
  {
    rule: "C6",
    also: ["C3"],
    name: "statement-timeout-off-then-sleep",
    modes: BOTH,
    short: `CREATE FUNCTION fc_wait() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET statement_timeout = 0; SET lock_timeout = 0; PERFORM pg_catalog.pg_sleep(1.5); END $$;
SELECT fc_wait();
DROP FUNCTION fc_wait();
`,
    sql: `CREATE FUNCTION fc_wait() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET statement_timeout = 0; PERFORM pg_catalog.pg_sleep(3600); END $$;
SELECT fc_wait();
`,
    describe:
      "switches the session's statement_timeout off and sleeps: the lane's deadline is kept from outside the session",
  },
  {
    rule: "C6",
    also: ["C3"],
    name: "every-timeout-off-then-loop",
    modes: BOTH,
    short: `CREATE FUNCTION fc_loop() RETURNS void LANGUAGE plpgsql AS $$ DECLARE stop_at pg_catalog.timestamptz := pg_catalog.clock_timestamp() + interval '1.5 seconds'; BEGIN
  SET statement_timeout = 0;
  SET lock_timeout = 0;
  SET idle_in_transaction_session_timeout = 0;
  LOOP EXIT WHEN pg_catalog.clock_timestamp() > stop_at; PERFORM pg_catalog.pg_sleep(0.05); END LOOP;
END $$;
SELECT fc_loop();
DROP FUNCTION fc_loop();
`,
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
    also: ["C6"],
    name: "terminate-own-backend",
    modes: BOTH,
    sql: `SELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid());
`,
    describe:
      "the migration kills its own session: FAIL with evidence, never a crash (PGlite ignores the signal: FAIL no_change)",
  },
  {
    rule: "C6",
    also: ["C3"],
    name: "terminate-own-backend-after-nextval",
    modes: TRANSACTIONAL,
    sql: `SELECT pg_catalog.nextval('ticket_seq');
DO $$ BEGIN PERFORM pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid()); END $$;
SELECT pg_catalog.setval('ticket_seq', 1);
`,
    describe:
      "a sequence moved, then the session killed from a function: no sequence may stay advanced (PGlite ignores the signal: snapshot_restore may PASS there)",
  },
  {
    rule: "C6",
    also: ["C3"],
    name: "idle-session-timeout-tiny",
    modes: BOTH,
    sql: `CREATE FUNCTION fc_idle() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET idle_session_timeout = 1; SET idle_in_transaction_session_timeout = 1; END $$;
SELECT fc_idle();
DROP FUNCTION fc_idle();
`,
    describe: "the server ends the session the moment the lane pauses between two statements",
  },
  {
    rule: "C6",
    also: ["C3"],
    name: "advisory-lock-outlives-rehearsal",
    modes: BOTH,
    sql: `DO $$ BEGIN PERFORM pg_catalog.pg_advisory_lock(4242); PERFORM pg_catalog.pg_advisory_lock_shared(4343); END $$;
`,
    describe: "session-level advisory locks survive ROLLBACK: they must not outlive the rehearsal's session",
  },
  {
    rule: "C6",
    also: ["C3"],
    name: "prepared-statement-and-temp-objects",
    modes: BOTH,
    sql: `PREPARE fc_left_behind AS SELECT 1;
CREATE TEMP TABLE fc_temp_left (a int);
`,
    describe: "prepared statements and temporary objects in the lane's session: none may survive it",
  },
  {
    rule: "C6",
    also: ["C5"],
    name: "session-role-switch",
    modes: BOTH,
    sql: `CREATE FUNCTION fc_role() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET ROLE NONE; SET row_security = on; SET transform_null_equals = on; END $$;
SELECT fc_role();
DROP FUNCTION fc_role();
`,
    describe: "role and row security switched from dynamic SQL before the lane's reads",
  },
  {
    rule: "C2",
    also: ["C4"],
    name: "alter-own-role-settings",
    modes: TRANSACTIONAL,
    sql: `DO $$ BEGIN
  EXECUTE pg_catalog.format('ALTER ROLE %I SET search_path = pg_temp, public', CURRENT_USER);
  EXECUTE pg_catalog.format('ALTER ROLE %I SET default_transaction_read_only = on', CURRENT_USER);
END $$;
`,
    describe:
      "the lane role's own settings changed through a function: outside the clone's database, so a server's snapshot restore does not undo them; restored or the clone is refused as dirty (PGlite's directory restore undoes them: may PASS in snapshot_restore there)",
  },
  {
    rule: "C2",
    also: ["C4"],
    name: "alter-own-database",
    modes: TRANSACTIONAL,
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
    also: ["C5"],
    name: "xid-check-shadow-with-real-change",
    modes: TRANSACTIONAL,
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
