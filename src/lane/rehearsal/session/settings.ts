import type { SqlSession } from "../../db/session.js";

/**
 * The session settings every read of the lane runs with (SPEC C3, C5; issue #18), set by the lane
 * itself in the session it reads from. A migration runs in the same session as C3's after_apply
 * digest and transaction-id check, and can change any of these from a function body the parser
 * never sees; each one changes what a read returns or whether it finishes:
 *
 * - client_encoding: the bytes the server sends (a no-op read in GB18030 differs from UTF-8; on
 *   PGlite a non-UTF-8 encoding desynchronises the embedded protocol);
 * - search_path: which relation, type or function an unqualified name means (pg_temp is named,
 *   and last, so that the session's temporary schema is never searched first);
 * - the output formats of the canonical text (TimeZone, DateStyle, IntervalStyle,
 *   extra_float_digits, bytea_output, lc_monetary, lc_numeric, xmlbinary, xmloption,
 *   quote_all_identifiers, standard_conforming_strings);
 * - what a query means or returns (row_security, transform_null_equals, gin_fuzzy_search_limit);
 * - the time the lane's statements get (statement_timeout, lock_timeout, and the idle timeouts
 *   that end the session between two of the lane's statements).
 */
export const LANE_SESSION_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ["client_encoding", "UTF8"],
  ["search_path", "pg_catalog, pg_temp"],
  ["TimeZone", "UTC"],
  ["DateStyle", "ISO, YMD"],
  ["IntervalStyle", "postgres"],
  ["extra_float_digits", "3"],
  ["bytea_output", "hex"],
  ["lc_monetary", "C"],
  ["lc_numeric", "C"],
  ["xmlbinary", "base64"],
  ["xmloption", "content"],
  ["quote_all_identifiers", "off"],
  ["standard_conforming_strings", "on"],
  ["row_security", "off"],
  ["transform_null_equals", "off"],
  ["gin_fuzzy_search_limit", "0"],
  ["lock_timeout", "0"],
  ["idle_in_transaction_session_timeout", "0"],
  ["idle_session_timeout", "0"],
];

/** One statement setting them all for the current transaction (set_config's third argument). */
export function settingsSql(extra: ReadonlyArray<readonly [string, string]> = []): string {
  const all = [...LANE_SESSION_SETTINGS, ...extra];
  return `SELECT ${all
    .map(([name, value], i) => `pg_catalog.set_config('${name}', '${value}', true) AS s${i}`)
    .join(", ")}`;
}

/**
 * Takes a session back from a migration that ran in it, inside the migration's still open
 * transaction (C3): deferred constraints checked now, as COMMIT would (a migration that cannot
 * commit must not PASS), then every setting put back and the lane's own fixed. Sent as one simple
 * query script whose first statements name nothing a migration could shadow: nothing is read from
 * the session before client_encoding is UTF-8 again.
 *
 * The settings are session-level changes inside the transaction: the lane's ROLLBACK undoes them
 * with the migration's.
 */
export async function takeBackSession(session: SqlSession, statementTimeoutMs: number): Promise<void> {
  await session.exec(
    [
      "SET CONSTRAINTS ALL IMMEDIATE",
      "RESET SESSION AUTHORIZATION",
      "RESET ALL",
      "RESET ROLE",
      settingsSql([["statement_timeout", String(statementTimeoutMs)]]),
    ].join(";\n"),
  );
}

/**
 * Proof that the session answers as the lane expects after a migration ran in it: one row, the
 * encoding UTF-8 and the search path the lane's. On PGlite a session whose protocol a migration
 * desynchronised answers with no rows; on any engine a wrong answer is a session not to trust.
 */
export async function sessionIsSane(session: SqlSession): Promise<boolean> {
  const rows = await session.query(
    "SELECT pg_catalog.current_setting('client_encoding') AS encoding, pg_catalog.current_setting('search_path') AS path, CURRENT_USER = SESSION_USER AS self",
  );
  const row = rows.rows[0];
  return (
    rows.rows.length === 1 &&
    row?.encoding === "UTF8" &&
    row.path === "pg_catalog, pg_temp" &&
    row.self === true
  );
}
