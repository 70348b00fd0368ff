/**
 * A catalog section: one query whose rows (every column text or NULL, each column with its own
 * alias) become the section's lines, sorted in byte order by the writer. Queries carry no ORDER
 * BY: the canonical order is imposed after the fact, so it cannot depend on a plan.
 */
export interface CatalogSection {
  readonly name: string;
  readonly sql: string;
  /** Rewrites a row before it becomes a line, for output no SQL can make version-stable. */
  readonly normalise?: (row: Readonly<Record<string, unknown>>) => Promise<Record<string, unknown>>;
}
