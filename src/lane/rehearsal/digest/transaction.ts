import type { SqlSession } from "../../db/session.js";
import { sqlstateOf } from "./failure.js";

/**
 * Where the digest runs. On an idle session it opens its own REPEATABLE READ READ ONLY
 * transaction. Inside a caller's transaction (C3 digests `after_apply` before the ROLLBACK) it
 * must not commit, roll back or begin anything of the caller's, so it works inside a savepoint
 * and rolls back to it, which also undoes its settings and its READ ONLY.
 */
export type DigestTransaction = "own" | "caller";

const SAVEPOINT = "failclosed_digest";

/**
 * The fixed settings. search_path lists pg_temp explicitly and last: left out, the session's
 * temporary schema would be searched *first* for relations and types, so a temp table named
 * pg_class could stand in for the catalog. The others fix every output format the canonical
 * text depends on; row_security = off makes a table hidden by row level security an error
 * (digest_incomplete) instead of silently fewer rows.
 */
const SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ["search_path", "pg_catalog, pg_temp"],
  ["TimeZone", "UTC"],
  ["DateStyle", "ISO, YMD"],
  ["IntervalStyle", "postgres"],
  ["extra_float_digits", "3"],
  ["bytea_output", "hex"],
  ["lc_monetary", "C"],
  ["quote_all_identifiers", "off"],
  ["standard_conforming_strings", "on"],
  ["row_security", "off"],
  ["transaction_read_only", "on"],
];

const SETTINGS_SQL = `SELECT ${SETTINGS.map(
  ([name, value], i) => `pg_catalog.set_config('${name}', '${value}', true) AS s${i}`,
).join(", ")}`;

/** Starts the digest's transaction (or savepoint) and applies the settings. */
export async function beginDigest(session: SqlSession): Promise<DigestTransaction> {
  // The only reliable way to learn whether a transaction block is open: SAVEPOINT works in one
  // and fails with 25P01 outside one, without side effects either way.
  let mode: DigestTransaction;
  try {
    await session.query(`SAVEPOINT ${SAVEPOINT}`);
    mode = "caller";
  } catch (error) {
    if (sqlstateOf(error) !== "25P01") throw error;
    mode = "own";
  }
  if (mode === "own") await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    if (mode === "caller") {
      // Sections are many statements; under READ COMMITTED each would see a different snapshot
      // and a concurrent commit could tear the digest.
      const rows = await session.query(
        "SELECT pg_catalog.current_setting('transaction_isolation') AS isolation",
      );
      const isolation = rows.rows[0]?.isolation;
      if (isolation !== "repeatable read" && isolation !== "serializable")
        throw new CallerIsolationError(String(isolation));
    }
    await session.query(SETTINGS_SQL);
  } catch (error) {
    await endDigest(session, mode).catch(() => undefined);
    throw error;
  }
  return mode;
}

/** Ends what beginDigest started, leaving a caller's transaction as it found it. */
export async function endDigest(session: SqlSession, mode: DigestTransaction): Promise<void> {
  if (mode === "own") {
    await session.query("ROLLBACK");
  } else {
    await session.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    await session.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
  }
}

export class CallerIsolationError extends Error {
  override readonly name = "CallerIsolationError";
  constructor(readonly isolation: string) {
    super(
      `the caller's transaction is ${isolation}: digest inside a transaction begun with ISOLATION LEVEL REPEATABLE READ (or SERIALIZABLE) so every section reads one snapshot`,
    );
  }
}
