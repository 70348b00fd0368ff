import { canonicalLine, compareBytewise } from "./canonical.js";
import { clusterSections } from "./cluster.js";
import { largeObjectSection, objectSections } from "./schema-objects.js";
import { routineSections } from "./schema-routines.js";
import { tableSections } from "./schema-tables.js";
import { scopeSections } from "./scope.js";
import type { CatalogSection } from "./section.js";
import type { DigestContext } from "./sql.js";

function byName(sections: readonly CatalogSection[]): CatalogSection[] {
  return [...sections].sort((a, b) => compareBytewise(a.name, b.name));
}

/**
 * The database scope's catalog sections in canonical order: database, large-objects, roles,
 * schema:*. (The data sections, sequence:* and table:*, sort after them.)
 */
export function databaseCatalog(ctx: DigestContext): CatalogSection[] {
  return byName([
    ...scopeSections(ctx),
    largeObjectSection(ctx),
    ...tableSections(ctx),
    ...routineSections(ctx),
    ...objectSections(ctx),
  ]);
}

export function clusterCatalog(): CatalogSection[] {
  return byName(clusterSections());
}

/** A catalog section's rows as canonical lines; every column must be text or NULL. */
export async function sectionLines(
  section: CatalogSection,
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
): Promise<string[]> {
  const normalised = section.normalise === undefined ? rows : await Promise.all(rows.map(section.normalise));
  return normalised.map((row) => {
    const fields = Object.values(row).map((value) => {
      if (typeof value === "string" || value === null) return value;
      throw new TypeError(
        `digest: ${section.name} returned a ${typeof value} column; every column must be text`,
      );
    });
    return canonicalLine(fields);
  });
}
