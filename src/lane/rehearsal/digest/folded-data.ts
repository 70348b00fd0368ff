import type { SqlSession } from "../../db/session.js";
import { ANCHOR_COLUMNS, anchorOf, requireSameTransaction, type Anchor } from "./anchor.js";
import { escapeField, type ScopeWriter } from "./canonical.js";
import { readTable, rowsAsText, sequenceLine, type DataRelation, type DataRelations } from "./data.js";
import { DigestAbort, FoldedFailure, inFolded, inSection } from "./failure.js";

/**
 * The contents (data.ts says what is read) in as few statements as memory allows: each statement
 * reads up to RELATIONS_PER_STATEMENT sequences and tables, each table up to its share of
 * ROWS_PER_STATEMENT rows, all ordered as the canonical text needs them. A table with more rows
 * than its share is read again on its own, in batches (data.ts readTable), so no statement holds
 * more than about ROWS_PER_STATEMENT rows whatever the tables hold. Every statement re-reads the
 * anchor, so all of them provably ran on one backend in one transaction.
 */
const RELATIONS_PER_STATEMENT = 100;
const ROWS_PER_STATEMENT = 10_000;

type Row = Readonly<Record<string, unknown>>;

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw new TypeError(`digest: column ${column} is not text`);
  return value;
}

function groupLabel(chunk: readonly DataRelation[]): string {
  const first = chunk[0]?.section ?? "";
  const last = chunk[chunk.length - 1]?.section ?? "";
  return chunk.length === 1 ? first : `data (${first} … ${last})`;
}

interface Planned {
  readonly relation: DataRelation;
  readonly kind: "sequence" | "table";
}

/** A table's share of the statement's rows; one row more than that tells it is bigger. */
function shareOf(chunk: readonly Planned[]): number {
  const tables = chunk.filter((p) => p.kind === "table").length;
  return Math.max(1, Math.floor(ROWS_PER_STATEMENT / Math.max(1, tables)));
}

function statementFor(chunk: readonly Planned[], share: number): string {
  const branches = chunk.map(({ relation, kind }, i) => {
    if (kind === "sequence")
      return `SELECT ${i}, q.last_value::pg_catalog.text, q.is_called::pg_catalog.text, NULL, NULL, NULL FROM ${relation.name} AS q`;
    // No ORDER BY inside: a table that fits is ordered by the outer ORDER BY; one that does not
    // is read again on its own, so which rows the LIMIT kept does not matter.
    return `SELECT ${i}, x.r, NULL, NULL, NULL, NULL FROM (${rowsAsText(relation)} LIMIT ${share + 1}) AS x`;
  });
  return `SELECT fc_rows.i, fc_rows.r, fc_rows.s, fc_rows.pid, fc_rows.started, fc_rows.isolation FROM (
    SELECT -1 AS i, NULL::pg_catalog.text AS r, NULL::pg_catalog.text AS s, ${ANCHOR_COLUMNS}
    ${branches.map((b) => `UNION ALL ${b}`).join("\n    ")}
  ) AS fc_rows ORDER BY fc_rows.i, fc_rows.r COLLATE pg_catalog."C"`;
}

/**
 * Writes every sequence:* and table:* section; returns the number of table rows. A relation the
 * digest may not read is a FoldedFailure: the per-section rerun names the section that fails
 * first in its own order.
 */
export async function writeFoldedData(
  session: SqlSession,
  relations: DataRelations,
  writer: ScopeWriter,
  start: Anchor,
): Promise<number> {
  const planned: Planned[] = [
    ...relations.sequences.map((relation) => ({ relation, kind: "sequence" as const })),
    ...relations.tables.map((relation) => ({ relation, kind: "table" as const })),
  ];
  const unreadable = planned.find((p) => !p.relation.readable);
  if (unreadable !== undefined) {
    throw new FoldedFailure({
      kind: "digest_incomplete",
      section: unreadable.relation.section,
      message: `no SELECT privilege on ${unreadable.relation.name} (or no USAGE on its schema)`,
    });
  }
  // Unpopulated materialized views have nothing to read (reading one is an error).
  const read = planned.filter((p) => p.kind === "sequence" || p.relation.populated);
  const chunks: Planned[][] = [];
  for (let at = 0; at < read.length; at += RELATIONS_PER_STATEMENT)
    chunks.push(read.slice(at, at + RELATIONS_PER_STATEMENT));

  let rows = 0;
  let lastStatementAnchored = true;
  let next = 0;
  const writeEmpty = (relation: DataRelation) => writer.section(relation.section).end();
  for (const chunk of chunks) {
    const share = shareOf(chunk);
    const label = groupLabel(chunk.map((p) => p.relation));
    const result = await inFolded(label, () => session.query(statementFor(chunk, share)));
    lastStatementAnchored = true;
    const byIndex = new Map<number, Row[]>();
    for (const row of result.rows) {
      const index = Number(row.i);
      const list = byIndex.get(index);
      if (list === undefined) byIndex.set(index, [row]);
      else list.push(row);
    }
    await inSection("transaction", () => {
      const anchorRow = byIndex.get(-1)?.[0];
      if (anchorRow === undefined) throw new Error("the data statement returned no anchor");
      requireSameTransaction(start, anchorOf(anchorRow));
      return Promise.resolve();
    });
    for (const [i, { relation, kind }] of chunk.entries()) {
      // Sections in canonical order: the unpopulated ones that sort before this relation first.
      while (planned[next]?.relation !== relation) {
        const skipped = planned[next++];
        if (skipped !== undefined) writeEmpty(skipped.relation);
      }
      next++;
      const found = byIndex.get(i) ?? [];
      if (kind === "sequence") {
        const state = found[0];
        if (found.length !== 1 || state === undefined)
          throw new DigestAbort({
            kind: "digest_failed",
            section: relation.section,
            message: "sequence state missing",
          });
        const section = writer.section(relation.section);
        section.line(sequenceLine(text(state, "r"), text(state, "s")));
        section.end();
      } else if (found.length > share) {
        rows += await inSection(relation.section, () => readTable(session, relation, writer));
        lastStatementAnchored = false;
      } else {
        const section = writer.section(relation.section);
        for (const row of found) section.line(escapeField(text(row, "r")));
        rows += section.end();
      }
    }
  }
  for (const rest of planned.slice(next)) writeEmpty(rest.relation);
  if (!lastStatementAnchored) {
    const end = await inSection("transaction", () => session.query(`SELECT ${ANCHOR_COLUMNS}`));
    const row = end.rows[0];
    await inSection("transaction", () => {
      if (row === undefined) throw new Error("the anchor statement returned no row");
      requireSameTransaction(start, anchorOf(row));
      return Promise.resolve();
    });
  }
  return rows;
}
