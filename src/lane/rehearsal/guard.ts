import type { LaneReason } from "../codec/documents.js";
import type { SqlDatabase, SqlSession } from "../db/session.js";
import type { Keyring } from "../seal/keyring.js";
import { identityMatches, type ProductionIdentity } from "./config.js";
import { checkMarker } from "./marker.js";

export type GuardOutcome =
  | {
      readonly ok: true;
      readonly database: string;
      readonly clone: string;
      /** The marker's id: the lane's clean digest is bound to the marker that vouched for it. */
      readonly markerId?: string;
    }
  | {
      readonly ok: false;
      readonly reason: Extract<
        LaneReason,
        "no_marker" | "marker_invalid" | "production_identity" | "superuser"
      >;
    };

/**
 * Roles that reach outside the database (server files and programs): on a real server, a lane
 * connected with any of them could escape a rollback as surely as a superuser could.
 */
const ESCAPE_ROLES = ["pg_execute_server_program", "pg_write_server_files", "pg_read_server_files"];

/**
 * C1, with read-only queries before anything runs: not a production identity, not a superuser
 * on a real server, and a valid marker naming this very database.
 */
export async function guardClone(
  session: SqlSession,
  engine: SqlDatabase["engine"],
  production: readonly ProductionIdentity[],
  keyring: Keyring,
): Promise<GuardOutcome> {
  const identity = await session.query(
    `SELECT pg_catalog.current_database() AS database,
            pg_catalog.current_setting('port') AS port,
            r.rolsuper OR EXISTS (
              SELECT 1 FROM pg_catalog.pg_roles s
               WHERE s.rolsuper AND pg_catalog.pg_has_role(r.oid, s.oid, 'MEMBER')
            ) AS superuser,
            ${ESCAPE_ROLES.map((role, i) => `pg_catalog.pg_has_role(r.oid, '${role}', 'MEMBER') AS escape${i}`).join(",\n            ")}
       FROM pg_catalog.pg_roles r WHERE r.rolname = pg_catalog.current_user()`,
  );
  const row = identity.rows[0];
  if (row === undefined) return { ok: false, reason: "superuser" };
  const database = String(row.database);
  if (production.some((p) => identityMatches(p, database, String(row.port)))) {
    return { ok: false, reason: "production_identity" };
  }
  // PGlite is a private embedded engine whose only role is its superuser; the rule is about a
  // shared real server, where a superuser lane could reach every other database.
  if (engine === "postgres") {
    const escapes = ESCAPE_ROLES.some((_, i) => row[`escape${i}`] === true);
    if (row.superuser !== false || escapes) return { ok: false, reason: "superuser" };
  }
  const marker = await checkMarker(session, keyring, database);
  if (!marker.ok) return { ok: false, reason: marker.reason };
  return { ok: true, database, clone: marker.marker.clone, markerId: marker.marker.marker_id };
}
