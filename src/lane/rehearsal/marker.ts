import { randomBytes } from "node:crypto";
import type { CloneMarker } from "../codec/documents.js";
import { formatTimestamp } from "../codec/formats.js";
import type { SqlSession } from "../db/session.js";
import type { KeyEntry, Keyring } from "../seal/keyring.js";
import { sealDocument } from "../seal/sign.js";
import { verifySealedDocument } from "../seal/verify.js";

/**
 * Where a clone's marker lives: one row of failclosed_clone.marker in the clone itself. The marker
 * names the database it was made for, so a marker copied into another database (or a database
 * made from a clone as template) no longer fits.
 */
export const MARKER_TABLE = "failclosed_clone.marker";

export async function makeMarker(
  operatorKey: KeyEntry,
  clone: string,
  database: string,
  now: number,
): Promise<string> {
  const marker: CloneMarker = {
    kind: "clone-marker",
    v: 1,
    marker_id: `marker-${randomBytes(8).toString("hex")}`,
    clone,
    database,
    issued_at: formatTimestamp(now),
  };
  return sealDocument(operatorKey, "clone-marker", marker);
}

export async function writeMarker(session: SqlSession, jws: string): Promise<void> {
  await session.exec(`CREATE SCHEMA IF NOT EXISTS failclosed_clone;
CREATE TABLE IF NOT EXISTS failclosed_clone.marker (id integer PRIMARY KEY CHECK (id = 1), jws text NOT NULL);`);
  await session.query(
    "INSERT INTO failclosed_clone.marker (id, jws) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET jws = EXCLUDED.jws",
    [jws],
  );
}

export type MarkerCheck =
  | { readonly ok: true; readonly marker: CloneMarker }
  | { readonly ok: false; readonly reason: "no_marker" | "marker_invalid" };

/** C1: the marker must exist, be sealed by an operator key and name exactly this database. */
export async function checkMarker(
  session: SqlSession,
  keyring: Keyring,
  database: string,
): Promise<MarkerCheck> {
  const table = await session.query(
    "SELECT pg_catalog.to_regclass('failclosed_clone.marker') IS NOT NULL AS present",
  );
  if (table.rows[0]?.present !== true) return { ok: false, reason: "no_marker" };
  const rows = await session.query("SELECT jws FROM failclosed_clone.marker WHERE id = 1");
  const jws = rows.rows[0]?.jws;
  if (typeof jws !== "string") return { ok: false, reason: "no_marker" };
  const verified = await verifySealedDocument(keyring, "clone-marker", jws);
  if (!verified.ok || verified.value.payload.database !== database)
    return { ok: false, reason: "marker_invalid" };
  return { ok: true, marker: verified.value.payload };
}
