import { Mutex } from "./mutex.js";
import type { SqlDatabase, SqlSession } from "./session.js";

/**
 * A database with one backend that every caller shares (PGlite, in its worker thread):
 * each call takes the lock, and a session's transaction left open (fn threw after BEGIN) is ended
 * before the next caller, who would otherwise run inside it.
 */
export function singleBackend(
  session: SqlSession,
  backend: {
    /** Rolls back whatever transaction the session left open. */
    readonly endSession: () => Promise<void>;
    readonly close: () => Promise<void>;
  },
): { readonly database: Omit<SqlDatabase, "listen">; readonly lock: Mutex } {
  const lock = new Mutex();
  return {
    lock,
    database: {
      engine: "pglite",
      query: (sql, params) => lock.run(() => session.query(sql, params)),
      exec: (sql) => lock.run(() => session.exec(sql)),
      withSession: (fn) =>
        lock.run(async () => {
          try {
            return await fn(session);
          } finally {
            await backend.endSession();
          }
        }),
      close: () => lock.run(backend.close),
    },
  };
}
