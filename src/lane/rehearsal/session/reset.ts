import type { SqlDatabase } from "../../db/session.js";
import { CATALOG_STATEMENT } from "../digest/folded-catalog.js";

/**
 * Keeping the migration's session instead of reopening the clone (issue #17). On PGlite the
 * clone has one backend in a worker thread; reopening it after every rehearsal (a new worker, the
 * data directory opened again) cost more than everything else the rehearsal does. The session is
 * kept only when DISCARD ALL has put it back and it is proven to hold nothing of the migration's.
 *
 * DISCARD ALL ends what outlives a ROLLBACK in a session: prepared statements, WITH HOLD cursors,
 * temporary objects, session settings (the role and session authorization included), advisory
 * locks, LISTEN, cached plans and sequence state (currval, lastval). The reset runs the
 * statements DISCARD ALL is documented to be, but two: the lane's own kept statement
 * (digest/kept-statement.ts) and its plan stay, since replanning it was most of a kept
 * rehearsal's time. Every other prepared statement goes (DEALLOCATE ALL when there is one, the
 * lane's own then prepared again at the next read), and the proof below admits no prepared
 * statement but the lane's, byte for byte. Leaving out DISCARD PLANS changes no read: PostgreSQL
 * drops a cached plan by itself when anything it depends on changes. What the reset cannot undo
 * is checked instead, and any doubt reopens the clone as before:
 * - code loaded into the backend (LOAD, a language, an encoding conversion): the worker counts
 *   every WebAssembly module it instantiates (SqlDatabase.loadedCode), and the count must not move;
 * - anything committed by the script (a temporary object made outside the transaction, a
 *   session object kept by a COMMIT): the transaction id moved, the run escaped, and the caller
 *   never keeps such a session;
 * - the random seed (setseed): it changes no read of the lane's, and the next migration is a
 *   rehearsal of its own, whose result does not depend on it.
 */
export interface SessionMark {
  /** The session user before the migration ran. */
  readonly user: string;
  /** The backend's loaded code before the migration ran (SqlDatabase.loadedCode). */
  readonly code: string;
}

/** DISCARD ALL as documented, without DEALLOCATE ALL and DISCARD PLANS (above). */
const RESET_SQL = `CLOSE ALL;
SET SESSION AUTHORIZATION DEFAULT;
RESET ALL;
UNLISTEN *;
SELECT pg_catalog.pg_advisory_unlock_all();
DISCARD TEMP;
DISCARD SEQUENCES;`;

/** How many prepared statements the session holds besides the lane's own; $1 is its text. */
const OTHERS_SQL = `SELECT pg_catalog.count(*)::pg_catalog.int4 AS others
  FROM pg_catalog.pg_prepared_statements AS ps WHERE ${CATALOG_STATEMENT.othersWhere(1)}`;

/**
 * Every name qualified: the search path after the reset is the server's default. One row, or
 * the session is not answering as a session should (a desynchronised PGlite answers none). The
 * one cursor allowed is the protocol's unnamed portal this very statement runs in; the one
 * prepared statement allowed is the lane's own, its text passed as $1.
 */
const CHECK_SQL = `SELECT pg_catalog.current_setting('client_encoding') AS encoding,
  SESSION_USER::pg_catalog.text AS who,
  CURRENT_USER OPERATOR(pg_catalog.=) SESSION_USER AS self,
  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_statements AS ps
          WHERE ${CATALOG_STATEMENT.othersWhere(1)}) OPERATOR(pg_catalog.=) 0
    AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_cursors AS k
          WHERE k.is_holdable OR k.name OPERATOR(pg_catalog.<>) '') OPERATOR(pg_catalog.=) 0
    AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_locks AS l
          WHERE l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()
            AND l.locktype OPERATOR(pg_catalog.=) 'advisory') OPERATOR(pg_catalog.=) 0
    AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_listening_channels()) OPERATOR(pg_catalog.=) 0
    AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class AS c
          WHERE c.relnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema()) OPERATOR(pg_catalog.=) 0
    AS empty`;

/**
 * The mark to compare with after the migration, read before it runs; undefined where sessions
 * are not kept (a real server: every session there is a connection of its own).
 */
export async function markSession(db: SqlDatabase): Promise<SessionMark | undefined> {
  if (db.loadedCode === undefined) return undefined;
  const code = await db.loadedCode();
  const rows = await db.query("SELECT SESSION_USER::pg_catalog.text AS who");
  const who = rows.rows[0]?.who;
  return typeof who === "string" ? { user: who, code } : undefined;
}

/**
 * The reset (DISCARD ALL but for the lane's kept statement), then proof that the session is the
 * lane's again: the encoding UTF-8, the session user the one before the migration and acting as
 * itself, no prepared statement but the lane's own, no cursor, advisory
 * lock, LISTEN or temporary relation left, and no code loaded since the mark. False (reopen)
 * whenever any of it fails or cannot be read; never throws.
 */
export async function resetSession(db: SqlDatabase, mark: SessionMark): Promise<boolean> {
  if (db.loadedCode === undefined) return false;
  try {
    await db.exec(RESET_SQL);
    const others = await db.query(OTHERS_SQL, [CATALOG_STATEMENT.prepare]);
    if (others.rows[0]?.others !== 0) await db.exec("DEALLOCATE ALL");
    const rows = await db.query(CHECK_SQL, [CATALOG_STATEMENT.prepare]);
    const row = rows.rows[0];
    const answered =
      rows.rows.length === 1 &&
      row?.encoding === "UTF8" &&
      row.who === mark.user &&
      row.self === true &&
      row.empty === true;
    return answered && (await db.loadedCode()) === mark.code;
  } catch {
    return false;
  }
}
