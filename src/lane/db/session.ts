/**
 * The one way lane code talks to PostgreSQL, whether the engine is embedded PGlite or a real
 * server reached through `pg`. Kept deliberately small so both adapters behave the same.
 */
export type SqlValue = string | number | boolean | null | Uint8Array;

export interface SqlRows {
  readonly rows: ReadonlyArray<Record<string, unknown>>;
}

export interface SqlSession {
  /** One statement with $1.. parameters (extended protocol). */
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlRows>;
  /** A script of several statements without parameters (simple protocol). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlSession {
  readonly engine: "pglite" | "postgres";
  /**
   * Runs fn on one dedicated connection; the connection is returned (or discarded if broken)
   * after. `fresh` asks for a brand-new connection (C3 reads after_rollback from one); PGlite has a
   * single backend, so there it is the same session with no transaction open.
   */
  withSession<T>(fn: (session: SqlSession) => Promise<T>, options?: { readonly fresh?: boolean }): Promise<T>;
  /**
   * Embedded PGlite only: calls `listener` after every NOTIFY on `channel` (an identifier),
   * before the statement that committed it returns: PGlite's one session hears its own
   * notifications. A server would need a dedicated connection for them; nothing asks it to.
   */
  readonly listen?: (channel: string, listener: () => void) => Promise<void>;
  /**
   * Embedded PGlite only: names the code loaded into the one backend (its worker, and how many
   * WebAssembly modules that worker has instantiated: every library a LOAD, a procedural language
   * or an encoding conversion pulled in). Equal answers: nothing was loaded in between, which
   * DISCARD ALL could not have undone (run-modes.ts keeps a session only then).
   */
  readonly loadedCode?: () => Promise<string>;
  close(): Promise<void>;
}
