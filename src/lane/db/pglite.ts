import { PGlite } from "@electric-sql/pglite";
import { FailclosedError } from "../errors.js";
import { Mutex } from "./mutex.js";
import type { SqlDatabase, SqlRows, SqlSession, SqlValue } from "./session.js";

/** Embedded PostgreSQL: in memory when dataDir is undefined, else persisted in that directory. */
export async function openPglite(dataDir?: string): Promise<SqlDatabase> {
  let db: PGlite;
  try {
    db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
    await db.waitReady;
  } catch (cause) {
    throw new FailclosedError("DATABASE_UNAVAILABLE", `cannot open PGlite${dataDir ? ` at ${dataDir}` : ""}`, {
      cause,
    });
  }
  const lock = new Mutex();
  const session: SqlSession = {
    async query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRows> {
      const result = await db.query<Record<string, unknown>>(sql, [...params]);
      return { rows: result.rows };
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
  return {
    engine: "pglite",
    query: (sql, params) => lock.run(() => session.query(sql, params)),
    exec: (sql) => lock.run(() => session.exec(sql)),
    withSession: (fn) => lock.run(() => fn(session)),
    close: () => lock.run(() => db.close()),
  };
}
