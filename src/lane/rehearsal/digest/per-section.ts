import type { SqlSession } from "../../db/session.js";
import {
  ANCHOR_COLUMNS,
  anchorOf,
  requireSameTransaction,
  requireSnapshotIsolation,
  textField,
} from "./anchor.js";
import { ScopeWriter, type CanonicalSink } from "./canonical.js";
import { listDataRelations, writeSequences, writeTables } from "./data.js";
import { inSection } from "./failure.js";
import { clusterCatalog, databaseCatalog, sectionLines } from "./lines.js";
import type { CatalogSection } from "./section.js";
import { literalContext } from "./sql.js";
import { CLUSTER_DIGEST_FORMAT, DIGEST_FORMAT, type DatabaseDigest } from "./types.js";

/**
 * The digest one section per statement: about thirty round trips. It is the reference the folded
 * digest (folded.ts) must equal byte for byte, and the diagnosis that names the section a failed
 * folded statement could not name (digest.ts): each statement here reads exactly one section.
 */
export async function computePerSection(session: SqlSession, sink?: CanonicalSink): Promise<DatabaseDigest> {
  const readAnchor = async () => {
    const { rows } = await session.query(`SELECT d.oid::pg_catalog.text AS database_oid,
        d.datdba::pg_catalog.text AS owner_oid, ${ANCHOR_COLUMNS}
      FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database()`);
    const row = rows[0];
    if (rows.length !== 1 || row === undefined) throw new Error("the current database is not in pg_database");
    requireSnapshotIsolation(row);
    return { row, anchor: anchorOf(row) };
  };
  const start = await inSection("transaction", readAnchor);
  const ctx = literalContext(textField(start.row, "owner_oid"), textField(start.row, "database_oid"));

  const database = new ScopeWriter(DIGEST_FORMAT, sink && ((chunk) => sink("database", chunk)));
  await writeCatalog(session, databaseCatalog(ctx), database);
  const relations = await inSection("relations", () => listDataRelations(session));
  await writeSequences(session, relations.sequences, database);
  const rows = await writeTables(session, relations.tables, database);

  const cluster = new ScopeWriter(CLUSTER_DIGEST_FORMAT, sink && ((chunk) => sink("cluster", chunk)));
  await writeCatalog(session, clusterCatalog(), cluster);

  const end = await inSection("transaction", readAnchor);
  requireSameTransaction(start.anchor, end.anchor);
  return {
    format: DIGEST_FORMAT,
    ...database.finish(),
    totals: { tables: relations.tables.length, rows, sequences: relations.sequences.length },
    cluster: { format: CLUSTER_DIGEST_FORMAT, ...cluster.finish() },
  };
}

async function writeCatalog(
  session: SqlSession,
  sections: readonly CatalogSection[],
  writer: ScopeWriter,
): Promise<void> {
  for (const section of sections) {
    const lines = await inSection(section.name, async () =>
      sectionLines(section, (await session.query(section.sql)).rows),
    );
    writer.wholeSection(section.name, lines);
  }
}
