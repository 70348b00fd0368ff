import type { SqlSession } from "../db/session.js";

/** A sequence's position: nextval and setval ignore ROLLBACK, so C3 must put them back itself. */
export interface SequenceState {
  /** Quoted, schema-qualified name. */
  readonly name: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

const LIST = `SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'S'
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
 ORDER BY 1`;

export async function readSequences(session: SqlSession): Promise<SequenceState[]> {
  const states: SequenceState[] = [];
  for (const row of (await session.query(LIST)).rows) {
    const name = String(row.name);
    // The name comes from format('%I.%I'), so it is quoted for use as an identifier.
    const state = await session.query(`SELECT last_value::pg_catalog.text AS v, is_called FROM ${name}`);
    states.push({ name, lastValue: String(state.rows[0]?.v), isCalled: state.rows[0]?.is_called === true });
  }
  return states;
}

/** Puts every sequence that still exists back where it was, in one transaction. */
export async function restoreSequences(session: SqlSession, states: readonly SequenceState[]): Promise<void> {
  await session.query("BEGIN");
  try {
    for (const s of states) {
      await session.query(
        "SELECT pg_catalog.setval(pg_catalog.to_regclass($1), $2::bigint, $3) WHERE pg_catalog.to_regclass($1) IS NOT NULL",
        [s.name, s.lastValue, s.isCalled],
      );
    }
    await session.query("COMMIT");
  } catch (error) {
    await session.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
