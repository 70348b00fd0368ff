import { PGlite } from "@electric-sql/pglite";
import { FailclosedError } from "../errors.js";
import { singleBackend } from "./single-backend.js";
import { emptyCluster } from "./pglite-worker.js";
import { textParsers } from "./pglite-types.js";
import type { SqlDatabase, SqlRows, SqlSession, SqlValue } from "./session.js";

const parsers = textParsers();

/**
 * Embedded PostgreSQL: in memory when dataDir is undefined, else persisted in that directory. An
 * in-memory database starts from the process's empty cluster (emptyCluster) instead of running
 * initdb here: initdb leaves hundreds of megabytes in the process that a loaded copy never needs.
 */
export async function openPglite(dataDir?: string): Promise<SqlDatabase> {
  let db: PGlite;
  try {
    db =
      dataDir === undefined
        ? new PGlite({ parsers, loadDataDir: await emptyCluster() })
        : new PGlite(dataDir, { parsers });
    await db.waitReady;
  } catch (cause) {
    throw new FailclosedError(
      "DATABASE_UNAVAILABLE",
      `cannot open PGlite${dataDir ? ` at ${dataDir}` : ""}`,
      {
        cause,
      },
    );
  }
  const session: SqlSession = {
    async query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRows> {
      const result = await db.query<Record<string, unknown>>(sql, [...params]);
      return { rows: result.rows };
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
  const { database, lock } = singleBackend(session, {
    endSession: async () => {
      if (db.isInTransaction()) await db.exec("ROLLBACK");
    },
    close: () => db.close(),
  });
  return {
    ...database,
    // Under the lock: a LISTEN sent inside another caller's open transaction would only take effect
    // at its commit, and not at all after a rollback.
    listen: (channel, listener) =>
      lock.run(async () => {
        await db.listen(channel, () => listener());
      }),
  };
}
