/**
 * What the session-escape tests (PGlite and a real server) share: the GUCs a migration can set
 * from PL/pgSQL, with hostile values, and the migrations built from them.
 */
import { createHash } from "node:crypto";
import { CATALOG_STATEMENT } from "../../../src/lane/rehearsal/digest/folded-catalog.js";
import { CLEAN_MIGRATION } from "../../support/lane-fixtures.js";

/** The lane's own kept catalog statement, by the MD5 of its exact text (kept-statement.ts). */
const LANE_STATEMENT = `name = '${CATALOG_STATEMENT.name}' AND from_sql
    AND pg_catalog.md5(statement) = '${createHash("md5").update(CATALOG_STATEMENT.prepare).digest("hex")}'`;

/**
 * Each setting a migration can change for the rest of the session from a PL/pgSQL function body
 * (plain SET there is what the classifier cannot tell from UPDATE … SET) that could change what
 * the lane reads or whether its reads finish. `kills`: the setting may end the session itself, so
 * a FAIL is a fair answer too; a PASS must still carry the right digests.
 */
export const HOSTILE_SETTINGS: ReadonlyArray<{
  readonly name: string;
  readonly set: string;
  readonly kills?: true | "pglite";
}> = [
  { name: "search_path", set: "search_path = pg_temp, public" },
  { name: "client_encoding", set: "client_encoding = 'LATIN1'" },
  { name: "client_encoding", set: "client_encoding = 'SQL_ASCII'" },
  // PGlite's embedded protocol cannot read a GB18030 session at all: the lane FAILs there.
  { name: "client_encoding", set: "client_encoding = 'GB18030'", kills: "pglite" },
  { name: "TimeZone", set: "TimeZone = 'Pacific/Chatham'" },
  { name: "DateStyle", set: "DateStyle = 'SQL, DMY'" },
  { name: "IntervalStyle", set: "IntervalStyle = 'sql_standard'" },
  { name: "extra_float_digits", set: "extra_float_digits = -15" },
  { name: "bytea_output", set: "bytea_output = 'escape'" },
  { name: "lc_numeric", set: "lc_numeric = 'C'" },
  { name: "xmlbinary", set: "xmlbinary = 'hex'" },
  { name: "xmloption", set: "xmloption = 'document'" },
  { name: "quote_all_identifiers", set: "quote_all_identifiers = on" },
  { name: "standard_conforming_strings", set: "standard_conforming_strings = off" },
  { name: "row_security", set: "row_security = on" },
  { name: "transform_null_equals", set: "transform_null_equals = on" },
  { name: "gin_fuzzy_search_limit", set: "gin_fuzzy_search_limit = 1" },
  { name: "default_transaction_read_only", set: "default_transaction_read_only = on" },
  // The rest of the migration then fails (read-only transaction): a FAIL is right.
  { name: "transaction_read_only", set: "transaction_read_only = on", kills: true },
  { name: "default_transaction_isolation", set: "default_transaction_isolation = 'read committed'" },
  { name: "constraints deferred", set: "CONSTRAINTS ALL DEFERRED" },
  { name: "role", set: "ROLE NONE" },
  { name: "lock_timeout", set: "lock_timeout = 1" },
  { name: "statement_timeout", set: "statement_timeout = 1", kills: true },
  {
    name: "idle_in_transaction_session_timeout",
    set: "idle_in_transaction_session_timeout = 1",
    kills: true,
  },
  { name: "idle_session_timeout", set: "idle_session_timeout = 1", kills: true },
];

/** A PL/pgSQL function that SETs `set` for the session, called and dropped. */
export function settingFunction(set: string): string {
  return `CREATE FUNCTION fc_set() RETURNS void LANGUAGE plpgsql AS $fc$ BEGIN SET ${set}; END $fc$;
SELECT public.fc_set();
DROP FUNCTION public.fc_set();
`;
}

/**
 * Text that reads differently in every encoding but UTF-8 (and cannot be written in LATIN1 at
 * all): a clone holding it shows whether the lane read its rows in the encoding it set itself.
 */
export const NON_ASCII_ROWS = `CREATE TABLE fc_words (id int PRIMARY KEY, word text NOT NULL);
INSERT INTO fc_words VALUES (1, 'café'), (2, '東京'), (3, '𝄞 clef');
`;

/** The settings tests' control: the clean migration, with a row that is not ASCII. */
export const SETTINGS_CONTROL = `${CLEAN_MIGRATION}INSERT INTO rehearsed_orders (id, label, shipped) VALUES (4, 'naïve 東京', true);
`;

/** The control, then a setting changed for the session from a function body. */
export function cleanMigrationSetting(set: string): string {
  return `${SETTINGS_CONTROL}${settingFunction(set)}`;
}

export const DEFERRED_FK = `CREATE TABLE fc_parent (id int PRIMARY KEY);
CREATE TABLE fc_child (parent int REFERENCES fc_parent DEFERRABLE INITIALLY DEFERRED);
INSERT INTO fc_child VALUES (1);
`;

/** A real change, then a type the lane's reads use shadowed in pg_temp, searched first. */
export const PG_TEMP_SHADOW = `SELECT pg_catalog.nextval('ticket_seq');
CREATE DOMAIN pg_temp.text AS pg_catalog.int4 CHECK (VALUE < 0);
${settingFunction("search_path = pg_temp, public")}`;

export const ENCODING_NOOP = (encoding: string): string => settingFunction(`client_encoding = '${encoding}'`);

/** The lane's deadline: every timeout the session has switched off, then a long sleep. */
export const TIMEOUTS_OFF_THEN_SLEEP = `${CLEAN_MIGRATION}CREATE FUNCTION fc_wait() RETURNS void LANGUAGE plpgsql AS $$ BEGIN
  SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0;
  PERFORM pg_catalog.pg_sleep(3600);
END $$;
SELECT public.fc_wait();
`;

/**
 * Passes only when no advisory lock is held anywhere in the clone's database, and no prepared
 * statement but the lane's own is in the session: run it after a rehearsal that took one. (Other
 * databases are left out: on a shared server a gate starting beside the test holds a
 * transaction-scoped advisory lock on its ledger's database for a moment.)
 */
export const NO_ADVISORY_LOCK_HELD = `DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory'
             AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())) THEN RAISE EXCEPTION 'an advisory lock outlived its rehearsal'; END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE NOT (${LANE_STATEMENT})) THEN
    RAISE EXCEPTION 'a prepared statement outlived its rehearsal'; END IF;
END $$;
CREATE TABLE fc_after_lock (a int);
`;

export const TAKE_LOCKS = `${CLEAN_MIGRATION}DO $$ BEGIN PERFORM pg_catalog.pg_advisory_lock(4242); END $$;
`;
