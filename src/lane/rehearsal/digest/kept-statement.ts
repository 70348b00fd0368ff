import type { SqlRows, SqlSession } from "../../db/session.js";

/**
 * A statement of the lane's kept prepared in the session, so that PostgreSQL plans it once per
 * session instead of once per read (issue #17). The folded catalog statement is 65 KB of SQL:
 * planning it took 27-46 ms of its 41 ms on PGlite, twice in every transactional rehearsal,
 * while PGlite's one session is kept from one rehearsal to the next (session/reset.ts).
 *
 * The migration runs in that session, and PREPARE and DEALLOCATE ignore ROLLBACK: it can drop the
 * lane's statement or put one of its own under the same name. So the statement is only ever
 * EXECUTEd after the session showed, in the statement just before, that the name holds exactly
 * the lane's PREPARE text (pg_prepared_statements keeps the text as sent). Otherwise the plain
 * text runs and nothing of the session's is trusted; the session's reset drops the foreign one.
 *
 * A cached plan gives the rows a fresh plan gives: PostgreSQL plans again by itself when anything
 * the plan depends on changes (a catalog's definition, a function, the search_path), the
 * statement takes no parameter (so its plan is the generic one at once), and every name in it is
 * qualified. Only when planning happens changes, never what is read.
 */
export interface KeptStatement {
  readonly name: string;
  /** The PREPARE statement, byte for byte what pg_prepared_statements shows for it. */
  readonly prepare: string;
  /**
   * A condition on `pg_catalog.pg_prepared_statements AS ps`, true of every prepared statement
   * of the session except this one, for a query that passes `prepare` as parameter `parameter`.
   */
  othersWhere(parameter: number): string;
  /** Runs the statement in `session` (one connection), kept prepared as above. */
  run(session: SqlSession): Promise<SqlRows>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export function keptStatement(name: string, sql: string): KeptStatement {
  // Interpolated into SQL unquoted: a plain lower-case identifier only.
  if (!IDENTIFIER.test(name)) throw new Error(`kept statement: not a plain identifier: ${name}`);
  const prepare = `PREPARE ${name} AS ${sql}`;
  const othersWhere = (parameter: number): string =>
    `NOT (ps.name OPERATOR(pg_catalog.=) '${name}' AND ps.from_sql
      AND ps.statement OPERATOR(pg_catalog.=) $${parameter}::pg_catalog.text)`;
  const lookup = `SELECT ps.statement OPERATOR(pg_catalog.=) $1::pg_catalog.text AND ps.from_sql AS ours
    FROM pg_catalog.pg_prepared_statements AS ps WHERE ps.name OPERATOR(pg_catalog.=) '${name}'`;
  return {
    name,
    prepare,
    othersWhere,
    async run(session) {
      const found = await session.query(lookup, [prepare]);
      const held = found.rows[0];
      if (held === undefined) {
        await session.exec(prepare);
        return session.query(`EXECUTE ${name}`);
      }
      if (found.rows.length === 1 && held.ours === true) return session.query(`EXECUTE ${name}`);
      return session.query(sql);
    },
  };
}
