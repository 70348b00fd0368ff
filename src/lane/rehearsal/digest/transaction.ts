import type { SqlSession } from "../../db/session.js";
import { settingsSql } from "../session/settings.js";
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
 * The fixed settings: the lane's session settings (session/settings.ts: encoding, search_path,
 * every output format the canonical text depends on, row_security = off so that a table hidden by
 * row level security is an error, digest_incomplete, instead of silently fewer rows), no
 * statement_timeout of the session's own (the lane keeps its deadline from outside the session),
 * and read only. search_path lists pg_temp explicitly and last: left out, the session's temporary
 * schema would be searched *first* for relations and types, so a temp table named pg_class could
 * stand in for the catalog.
 */
const SETTINGS_SQL = settingsSql([
  ["statement_timeout", "0"],
  ["transaction_read_only", "on"],
]);

/**
 * Starts the digest's transaction (or savepoint) and applies the settings. The caller's isolation
 * level is checked by the first statement that reads (anchor.ts), which must be REPEATABLE READ
 * or SERIALIZABLE so that every statement of the digest reads one snapshot.
 */
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
  try {
    // Settings first: nothing is read from the session before its encoding and search_path are
    // the lane's. One script, one round trip.
    if (mode === "own")
      await session.exec(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n${SETTINGS_SQL}`);
    else await session.exec(SETTINGS_SQL);
  } catch (error) {
    await endDigest(session, mode).catch(() => undefined);
    throw error;
  }
  return mode;
}

/** Ends what beginDigest started, leaving a caller's transaction as it found it. */
export async function endDigest(session: SqlSession, mode: DigestTransaction): Promise<void> {
  if (mode === "own") await session.query("ROLLBACK");
  else await session.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT};\nRELEASE SAVEPOINT ${SAVEPOINT}`);
}

export class CallerIsolationError extends Error {
  override readonly name = "CallerIsolationError";
  constructor(readonly isolation: string) {
    super(
      `the caller's transaction is ${isolation}: digest inside a transaction begun with ISOLATION LEVEL REPEATABLE READ (or SERIALIZABLE) so every section reads one snapshot`,
    );
  }
}
