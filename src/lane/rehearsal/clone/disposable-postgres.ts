import pg from "pg";
import { LANE_TYPE_PARSERS } from "../../db/postgres.js";
import { FailclosedError } from "../../../kernel/errors.js";
import type { SqlDatabase, SqlRows, SqlSession, SqlValue } from "../../db/session.js";

/**
 * The lane's connections to a clone on a real server (SPEC C3, C4; issue #14). Every session is
 * a connection of its own, opened for one piece of work and destroyed after it: nothing a
 * migration leaves in a session (settings, advisory locks, prepared statements, temporary
 * objects, an open transaction) can reach the next read or the next rehearsal, which a pool that
 * hands connections back would allow. Every call carries a deadline the migration cannot touch:
 * it is kept by timers in this process, not by a setting in the migration's session, and enforced
 * on a connection of its own: cancel the backend, then terminate it, then drop the socket.
 *
 * Written by hand rather than with pg.Pool: a pool exists to reuse connections, which is exactly
 * what must not happen here.
 */
export interface DisposablePostgresOptions {
  /** The deadline of a script (`exec`: the migration). */
  readonly scriptMs: number;
  /** The deadline of every other call (the lane's own reads). */
  readonly operationMs: number;
  /** Between cancel, terminate and dropping the socket. */
  readonly graceMs?: number;
}

/** A call stopped from outside because it outlived its deadline. */
export class DeadlineError extends FailclosedError {
  constructor(ms: number) {
    super("DATABASE_UNAVAILABLE", `the statement ran past the lane's deadline of ${ms} ms and was stopped`);
  }
}

const DEFAULT_GRACE_MS = 2_000;

function newClient(url: string): pg.Client {
  // client_encoding in the start-up packet outranks a role's or a database's setting.
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    client_encoding: "UTF8",
  });
  // A backend terminated from inside (pg_terminate_backend, idle_session_timeout) emits 'error';
  // the pending call rejects on its own, and an unhandled 'error' would kill the process.
  client.on("error", () => undefined);
  return client;
}

/** Drops the socket without waiting for the server: the last resort of the deadline. */
function destroy(client: pg.Client): void {
  const connection = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
  connection?.stream?.destroy();
}

async function endQuickly(client: pg.Client, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        destroy(client);
        resolve();
      }, graceMs);
    }),
  ]);
  clearTimeout(timer);
}

/** Signals a backend from a connection of its own; the lane's role may signal its own backends. */
async function signal(
  url: string,
  fn: "pg_cancel_backend" | "pg_terminate_backend",
  pid: number,
): Promise<void> {
  const client = newClient(url);
  try {
    await client.connect();
    await client.query(`SELECT pg_catalog.${fn}($1::pg_catalog.int4)`, [pid]);
  } catch {
    // Nothing more to do here: the socket is dropped at the hard limit whatever happened.
  } finally {
    await endQuickly(client, DEFAULT_GRACE_MS);
  }
}

class DisposableSession implements SqlSession {
  constructor(
    private readonly url: string,
    private readonly client: pg.Client,
    private readonly pid: number,
    private readonly options: DisposablePostgresOptions,
  ) {}

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRows> {
    return this.bounded(this.options.operationMs, async () => {
      const result = await this.client.query({ text: sql, values: [...params], types: LANE_TYPE_PARSERS });
      return { rows: result.rows as Array<Record<string, unknown>> };
    });
  }

  exec(sql: string): Promise<void> {
    return this.bounded(this.options.scriptMs, async () => void (await this.client.query(sql)));
  }

  /** Runs one call under the deadline: cancel at ms, terminate after a grace, then drop the socket. */
  private bounded<T>(ms: number, call: () => Promise<T>): Promise<T> {
    const grace = this.options.graceMs ?? DEFAULT_GRACE_MS;
    const timers: NodeJS.Timeout[] = [];
    const hardLimit = new Promise<never>((_, reject) => {
      timers.push(setTimeout(() => void signal(this.url, "pg_cancel_backend", this.pid), ms));
      timers.push(setTimeout(() => void signal(this.url, "pg_terminate_backend", this.pid), ms + grace));
      timers.push(
        setTimeout(
          () => {
            destroy(this.client);
            reject(new DeadlineError(ms));
          },
          ms + 2 * grace,
        ),
      );
    });
    return Promise.race([call(), hardLimit]).finally(() => timers.forEach(clearTimeout));
  }

  async dispose(): Promise<void> {
    await endQuickly(this.client, this.options.graceMs ?? DEFAULT_GRACE_MS);
  }
}

async function openSession(url: string, options: DisposablePostgresOptions): Promise<DisposableSession> {
  const client = newClient(url);
  try {
    await client.connect();
    const rows = await client.query<{ pid: number }>("SELECT pg_catalog.pg_backend_pid() AS pid");
    const pid = Number(rows.rows[0]?.pid);
    if (!Number.isSafeInteger(pid)) throw new Error("the server did not say which backend this is");
    return new DisposableSession(url, client, pid, options);
  } catch (cause) {
    destroy(client);
    throw new FailclosedError("DATABASE_UNAVAILABLE", "cannot connect to the clone's PostgreSQL server", {
      cause,
    });
  }
}

/**
 * A clone on a real server as the lane's SqlDatabase: every withSession (fresh or not), query and
 * exec runs on a new connection that is destroyed afterwards. Fails with DATABASE_UNAVAILABLE at
 * once when the server cannot be reached.
 */
export async function openDisposablePostgres(
  url: string,
  options: DisposablePostgresOptions,
): Promise<SqlDatabase> {
  let closed = false;
  const live = new Set<DisposableSession>();
  async function withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    if (closed) throw new FailclosedError("DATABASE_UNAVAILABLE", "the clone's connections are closed");
    const session = await openSession(url, options);
    live.add(session);
    try {
      return await fn(session);
    } finally {
      live.delete(session);
      await session.dispose();
    }
  }
  await withSession((session) => session.query("SELECT 1"));
  return {
    engine: "postgres",
    query: (sql, params) => withSession((session) => session.query(sql, params)),
    exec: (sql) => withSession((session) => session.exec(sql)),
    withSession: (fn) => withSession(fn),
    async close() {
      closed = true;
      await Promise.all([...live].map((session) => session.dispose()));
      live.clear();
    },
  };
}
