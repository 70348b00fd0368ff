import type { SqlSession } from "../../db/session.js";
import { ANCHOR_COLUMNS, anchorOf, requireSnapshotIsolation, type Anchor } from "./anchor.js";
import { DATA_RELATIONS_SQL, parseDataRelations, type DataRelations } from "./data.js";
import { inFolded, inSection } from "./failure.js";
import { keptStatement } from "./kept-statement.js";
import { clusterCatalog, databaseCatalog } from "./lines.js";
import type { CatalogSection } from "./section.js";
import { ANCHOR_CTE, ANCHORED_CONTEXT } from "./sql.js";

type Row = Readonly<Record<string, unknown>>;

/** Every catalog section of both scopes, and the list of relations whose contents are read. */
export interface FoldedCatalog {
  readonly anchor: Anchor;
  readonly database: ReadonlyArray<{ readonly section: CatalogSection; readonly rows: readonly Row[] }>;
  readonly cluster: ReadonlyArray<{ readonly section: CatalogSection; readonly rows: readonly Row[] }>;
  readonly relations: DataRelations;
}

const DATABASE_SECTIONS = databaseCatalog(ANCHORED_CONTEXT);
const CLUSTER_SECTIONS = clusterCatalog();
const RELATIONS: CatalogSection = { name: "relations", sql: DATA_RELATIONS_SQL };
const ALL = [...DATABASE_SECTIONS, ...CLUSTER_SECTIONS, RELATIONS];

/**
 * One statement for every catalog section: each section's query becomes a subquery whose rows
 * come back as one JSON array (row_to_json keeps the columns in their order and every text value
 * exact), and the owner and database OIDs are read inside it (ANCHOR_CTE) rather than by a
 * statement of their own. Built once: it depends on nothing but the code.
 */
const CATALOG_SQL = `WITH ${ANCHOR_CTE}
SELECT ${ANCHOR_COLUMNS},
  ${ALL.map(
    (section, i) =>
      `(SELECT coalesce(pg_catalog.json_agg(fc_section.*)::pg_catalog.text, '[]')
    FROM (${section.sql}) AS fc_section) AS s${i}`,
  ).join(",\n  ")}`;

/** Kept prepared in the session: its planning was most of its time (kept-statement.ts). */
export const CATALOG_STATEMENT = keptStatement("fc_catalog", CATALOG_SQL);

function rowsOf(row: Row, index: number, section: CatalogSection): Row[] {
  const value = row[`s${index}`];
  if (typeof value !== "string") throw new TypeError(`digest: ${section.name} did not come back as text`);
  const parsed: unknown = JSON.parse(value);
  if (
    !Array.isArray(parsed) ||
    !parsed.every((r) => typeof r === "object" && r !== null && !Array.isArray(r))
  )
    throw new TypeError(`digest: ${section.name} did not come back as an array of rows`);
  return parsed as Row[];
}

export async function readFoldedCatalog(session: SqlSession): Promise<FoldedCatalog> {
  const { rows } = await inFolded("catalog", () => CATALOG_STATEMENT.run(session));
  const row = rows[0];
  if (rows.length !== 1 || row === undefined) throw new Error("the catalog statement returned no row");
  await inSection("transaction", () => Promise.resolve(requireSnapshotIsolation(row)));
  const at = (sections: readonly CatalogSection[], offset: number) =>
    sections.map((section, i) => ({ section, rows: rowsOf(row, offset + i, section) }));
  return {
    anchor: anchorOf(row),
    database: at(DATABASE_SECTIONS, 0),
    cluster: at(CLUSTER_SECTIONS, DATABASE_SECTIONS.length),
    relations: parseDataRelations(rowsOf(row, ALL.length - 1, RELATIONS)),
  };
}
