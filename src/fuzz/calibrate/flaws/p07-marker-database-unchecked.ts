/**
 * P07's second flawed clone guard: the marker's seal is verified, strictly, with an operator key,
 * but the database it names is never compared with the one the lane is connected to (C1: a marker
 * naming exactly this database). A marker is a statement about one clone; copied into another
 * database (or into production, restored from a clone's dump) it still verifies.
 */
import { identityMatches, verifySealedDocument, type Guard } from "../../../lane/index.js";

export const markerDatabaseUnchecked: Guard = async (session, _engine, production, keyring) => {
  const identity = await session.query(
    "SELECT pg_catalog.current_database() AS database, pg_catalog.current_setting('port') AS port",
  );
  const row = identity.rows[0];
  const database = String(row?.database);
  if (production.some((p) => identityMatches(p, database, String(row?.port))))
    return { ok: false, reason: "production_identity" };
  const table = await session.query(
    "SELECT pg_catalog.to_regclass('failclosed_clone.marker') IS NOT NULL AS present",
  );
  if (table.rows[0]?.present !== true) return { ok: false, reason: "no_marker" };
  const rows = await session.query("SELECT jws FROM failclosed_clone.marker WHERE id = 1");
  const jws = rows.rows[0]?.jws;
  if (typeof jws !== "string") return { ok: false, reason: "no_marker" };
  const verified = await verifySealedDocument(keyring, "clone-marker", jws);
  // The flaw: no `verified.value.payload.database !== database`.
  if (!verified.ok) return { ok: false, reason: "marker_invalid" };
  const marker = verified.value.payload;
  return { ok: true, database, clone: marker.clone, markerId: marker.marker_id };
};
