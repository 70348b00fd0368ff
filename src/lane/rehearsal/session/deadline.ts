import type { SqlDatabase, SqlSession } from "../../db/session.js";
import { FailclosedError } from "../../../kernel/errors.js";

/**
 * The migration's one wall-clock limit per rehearsal (issue #14). A limit per call is not one: the
 * migration runs in more than one of the lane's calls (the script; then the deferred constraints
 * and constraint triggers that `SET CONSTRAINTS ALL IMMEDIATE` or `COMMIT` fires), each of which
 * could stay just under a per-call limit. Everything the migration's code runs shares
 * `statement_timeout_ms`, counted by a clock in the lane's process that no setting, lock or loop in
 * the session can reach; past it the session is ended from outside and the call fails.
 */
export interface MigrationDeadline {
  /** Milliseconds left, 0 once the deadline has passed. */
  remainingMs(): number;
  /**
   * Runs one of the calls that execute the migration's code within what is left: past it, `stop`
   * ends the session from outside and the call rejects with MigrationDeadlineError. A call is not
   * started at all once nothing is left.
   */
  run<T>(call: () => Promise<T>): Promise<T>;
}

/** The migration outlived its rehearsal's deadline and was stopped (a FAIL, server_error). */
export class MigrationDeadlineError extends FailclosedError {
  constructor(ms: number) {
    super(
      "DATABASE_UNAVAILABLE",
      `the migration ran past the rehearsal's deadline of ${ms} ms and was stopped`,
    );
  }
}

export function migrationDeadline(
  ms: number,
  stop: () => Promise<void>,
  now: () => number = () => performance.now(),
): MigrationDeadline {
  const endsAt = now() + ms;
  const remainingMs = (): number => Math.max(0, Math.ceil(endsAt - now()));
  return {
    remainingMs,
    async run<T>(call: () => Promise<T>): Promise<T> {
      const left = remainingMs();
      if (left === 0) throw new MigrationDeadlineError(ms);
      let timer: NodeJS.Timeout | undefined;
      const work = call();
      // Once the deadline has answered, the abandoned call's own failure is of no interest.
      work.catch(() => undefined);
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          void stop().finally(() => reject(new MigrationDeadlineError(ms)));
        }, left);
      });
      try {
        return await Promise.race([work, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * How to end the session the migration runs in from outside it. On a server: its backend is
 * terminated from a connection of its own (the lane's role may signal its own backends), which
 * also ends its transaction and its locks. PGlite's one backend runs on a worker thread that cannot
 * be interrupted from outside: there the deadline fails the call at once, and the rehearsal ends
 * when the statement does or when the worker is ended at its per-call limit.
 */
export async function stopFromOutside(
  engine: SqlDatabase["engine"],
  session: SqlSession,
  openAnother: () => Promise<SqlDatabase>,
): Promise<() => Promise<void>> {
  switch (engine) {
    case "pglite":
      return () => Promise.resolve();
    case "postgres": {
      const rows = await session.query("SELECT pg_catalog.pg_backend_pid() AS pid");
      const pid = Number(rows.rows[0]?.pid);
      if (!Number.isSafeInteger(pid)) throw new Error("the server did not say which backend this is");
      return async () => {
        try {
          const other = await openAnother();
          try {
            await other.query("SELECT pg_catalog.pg_terminate_backend($1::pg_catalog.int4)", [pid]);
          } finally {
            await other.close();
          }
        } catch {
          // The call's own limit still stops it (cancel, terminate, drop the socket).
        }
      };
    }
  }
}
