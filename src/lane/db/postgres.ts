import pg from "pg";
import { FailclosedError } from "../../kernel/errors.js";
import type { SqlDatabase, SqlRows, SqlSession, SqlValue } from "./session.js";

// Keep bigint, numeric and timestamps as the server's text: the lane compares and digests text,
// and a lossy JavaScript number or Date must never stand in for a value.
const TEXT_TYPES = [20, 1700, 1082, 1114, 1184];
/** The type parsers of every lane connection to a real server (the disposable rehearsal ones too). */
export const LANE_TYPE_PARSERS = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (TEXT_TYPES.includes(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format ?? "text") as (value: string) => unknown;
  },
};

function wrap(client: pg.PoolClient | pg.Pool | pg.Client): SqlSession {
  return {
    async query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRows> {
      const result = await client.query({ text: sql, values: [...params], types: LANE_TYPE_PARSERS });
      return { rows: result.rows as Array<Record<string, unknown>> };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

/** A connection of its own, outside the pool, closed after fn. */
async function withFreshClient<T>(
  connectionString: string,
  fn: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(wrap(client));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A real server through a pool. Fails with DATABASE_UNAVAILABLE if it cannot connect at once. */
export async function openPostgres(
  connectionString: string,
  options: { max?: number } = {},
): Promise<SqlDatabase> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, connectionTimeoutMillis: 5_000 });
  // A client's 'error' event without a listener ends the process (issue #13: a server that went
  // away killed `serve`). The pool listens only while a client is idle; a client checked out for a
  // session gets its own listener here, from its first moment to its last. Its failed query
  // rejects on its own, and the refusal is decided there.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
  try {
    await pool.query("SELECT 1");
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new FailclosedError("DATABASE_UNAVAILABLE", "cannot connect to the PostgreSQL server", { cause });
  }
  const shared = wrap(pool);
  return {
    engine: "postgres",
    query: (sql, params) => shared.query(sql, params),
    exec: (sql) => shared.exec(sql),
    async withSession<T>(fn: (session: SqlSession) => Promise<T>, options?: { fresh?: boolean }): Promise<T> {
      if (options?.fresh === true) return withFreshClient(connectionString, fn);
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await fn(wrap(client));
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        // A failed session may be left inside a transaction: destroy it rather than reuse it.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
