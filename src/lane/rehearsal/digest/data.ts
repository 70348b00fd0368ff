import type { SqlSession } from "../../db/session.js";
import { compareBytewise, escapeField, type ScopeWriter } from "./canonical.js";
import { DigestAbort, inSection } from "./failure.js";
import { qualifiedName, userSchema } from "./sql.js";

/**
 * The contents: every table's rows (partitions are tables of their own and are read; a
 * partitioned parent holds none; FROM ONLY keeps an inheritance parent from repeating its
 * children's rows), every populated materialized view's rows, every sequence's state. Foreign
 * tables are not read: their rows live on another server, not in the clone. Views hold no rows.
 */

/** Rows per round trip; a table is never held in memory whole. */
const BATCH = 5_000;
/** Sequences read per query. */
const SEQUENCE_BATCH = 200;
const CURSOR = "failclosed_digest_rows";

export interface DataRelation {
  readonly section: string;
  readonly name: string;
  readonly populated: boolean;
  readonly readable: boolean;
}

export interface DataRelations {
  readonly tables: readonly DataRelation[];
  readonly sequences: readonly DataRelation[];
}

function text(row: Readonly<Record<string, unknown>>, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw new TypeError(`digest: column ${column} is not text`);
  return value;
}

function bySection(a: DataRelation, b: DataRelation): number {
  return compareBytewise(a.section, b.section);
}

/** Every relation whose contents are digested, with what the digest needs to know to read it. */
export const DATA_RELATIONS_SQL = `SELECT ${qualifiedName("n.nspname", "c.relname")} AS name,
      c.relkind::pg_catalog.text AS kind,
      (c.relkind <> 'm' OR c.relispopulated)::pg_catalog.text AS populated,
      (pg_catalog.has_schema_privilege(n.oid, 'USAGE')
       AND CASE WHEN c.relkind = 'S' THEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT')
                ELSE pg_catalog.has_table_privilege(c.oid, 'SELECT') END)::pg_catalog.text AS readable
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'm', 'S') AND ${userSchema("n.nspname")}`;

export function parseDataRelations(rows: ReadonlyArray<Record<string, unknown>>): DataRelations {
  const tables: DataRelation[] = [];
  const sequences: DataRelation[] = [];
  for (const row of rows) {
    const name = text(row, "name");
    const isSequence = text(row, "kind") === "S";
    const entry: DataRelation = {
      section: `${isSequence ? "sequence" : "table"}:${name}`,
      name,
      populated: text(row, "populated") === "true",
      readable: text(row, "readable") === "true",
    };
    (isSequence ? sequences : tables).push(entry);
  }
  return { tables: tables.sort(bySection), sequences: sequences.sort(bySection) };
}

export async function listDataRelations(session: SqlSession): Promise<DataRelations> {
  return parseDataRelations((await session.query(DATA_RELATIONS_SQL)).rows);
}

export function refuseUnreadable(relation: DataRelation): void {
  if (!relation.readable) {
    throw new DigestAbort({
      kind: "digest_incomplete",
      section: relation.section,
      message: `no SELECT privilege on ${relation.name} (or no USAGE on its schema)`,
    });
  }
}

/** A table's rows as text, in no particular order, in a column named r. */
export function rowsAsText(relation: DataRelation): string {
  return `SELECT pg_catalog.textin(pg_catalog.record_out(t.*)) AS r FROM ONLY ${relation.name} AS t`;
}

/**
 * One table's rows as `row::text`, ordered by COLLATE "C". The text comes from calling
 * record_out directly rather than through a ::text cast: a table's owner may CREATE CAST from
 * its row type to text, and a cast function could print anything.
 */
export async function readTable(
  session: SqlSession,
  relation: DataRelation,
  writer: ScopeWriter,
): Promise<number> {
  refuseUnreadable(relation);
  const section = writer.section(relation.section);
  if (relation.populated) {
    const select = `SELECT x.r FROM (${rowsAsText(relation)}) AS x
      ORDER BY x.r COLLATE pg_catalog."C"`;
    // Most tables fit one batch: try that first, and open a cursor only for a larger table.
    const first = await session.query(`${select} LIMIT ${BATCH + 1}`);
    if (first.rows.length <= BATCH) {
      for (const row of first.rows) section.line(escapeField(text(row, "r")));
    } else {
      await session.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${select}`);
      for (;;) {
        const batch = await session.query(`FETCH FORWARD ${BATCH} FROM ${CURSOR}`);
        for (const row of batch.rows) section.line(escapeField(text(row, "r")));
        if (batch.rows.length < BATCH) break;
      }
      await session.query(`CLOSE ${CURSOR}`);
    }
  }
  // An unpopulated materialized view has no rows to read (reading one is an error); the schema
  // section records relispopulated.
  return section.end();
}

export async function writeTables(
  session: SqlSession,
  tables: readonly DataRelation[],
  writer: ScopeWriter,
): Promise<number> {
  let rows = 0;
  for (const table of tables) rows += await inSection(table.section, () => readTable(session, table, writer));
  return rows;
}

/** A sequence's one line: its last_value and is_called. */
export function sequenceLine(lastValue: string, isCalled: string): string {
  return `${escapeField(lastValue)}\t${escapeField(isCalled)}`;
}

/** Each sequence's state: last_value and is_called (log_cnt is WAL bookkeeping, not state). */
export async function writeSequences(
  session: SqlSession,
  sequences: readonly DataRelation[],
  writer: ScopeWriter,
): Promise<void> {
  for (let start = 0; start < sequences.length; start += SEQUENCE_BATCH) {
    const batch = sequences.slice(start, start + SEQUENCE_BATCH);
    batch.forEach(refuseUnreadable);
    const sql = batch
      .map(
        (s, i) =>
          `SELECT ${i} AS i, q.last_value::pg_catalog.text AS last_value, q.is_called::pg_catalog.text AS is_called FROM ${s.name} AS q`,
      )
      .join(" UNION ALL ");
    const label =
      batch.length === 1 ? (batch[0]?.section ?? "sequences") : `sequences (${batch[0]?.section} …)`;
    const result = await inSection(label, () => session.query(sql));
    const states = new Map<number, string>();
    for (const row of result.rows) {
      states.set(Number(row.i), sequenceLine(text(row, "last_value"), text(row, "is_called")));
    }
    batch.forEach((s, i) => {
      const state = states.get(i);
      if (state === undefined)
        throw new DigestAbort({
          kind: "digest_failed",
          section: s.section,
          message: "sequence state missing",
        });
      const section = writer.section(s.section);
      section.line(state);
      section.end();
    });
  }
}
