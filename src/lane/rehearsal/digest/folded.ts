import type { SqlSession } from "../../db/session.js";
import { ScopeWriter, type CanonicalSink } from "./canonical.js";
import { inSection } from "./failure.js";
import { readFoldedCatalog } from "./folded-catalog.js";
import { writeFoldedData } from "./folded-data.js";
import { sectionLines } from "./lines.js";
import { CLUSTER_DIGEST_FORMAT, DIGEST_FORMAT, type DatabaseDigest } from "./types.js";

/**
 * The digest in two statements (issue #17): every catalog section of both scopes in one, every
 * sequence and table in another (more only for many relations or big tables). The canonical text
 * is the one computePerSection writes, byte for byte; only the round trips differ.
 */
export async function computeFolded(session: SqlSession, sink?: CanonicalSink): Promise<DatabaseDigest> {
  const catalog = await readFoldedCatalog(session);

  const database = new ScopeWriter(DIGEST_FORMAT, sink && ((chunk) => sink("database", chunk)));
  for (const { section, rows } of catalog.database) {
    database.wholeSection(section.name, await inSection(section.name, () => sectionLines(section, rows)));
  }
  const rows = await writeFoldedData(session, catalog.relations, database, catalog.anchor);

  const cluster = new ScopeWriter(CLUSTER_DIGEST_FORMAT, sink && ((chunk) => sink("cluster", chunk)));
  for (const { section, rows: sectionRows } of catalog.cluster) {
    cluster.wholeSection(
      section.name,
      await inSection(section.name, () => sectionLines(section, sectionRows)),
    );
  }
  return {
    format: DIGEST_FORMAT,
    ...database.finish(),
    totals: { tables: catalog.relations.tables.length, rows, sequences: catalog.relations.sequences.length },
    cluster: { format: CLUSTER_DIGEST_FORMAT, ...cluster.finish() },
  };
}
