import { mkdir } from "node:fs/promises";
import { lockDirectory } from "./directory-lock.js";
import { openPgliteWorker } from "./pglite-worker.js";
import type { SqlDatabase } from "./session.js";

/**
 * The limit of any one call to the gate's embedded ledger: its statements are its own and take
 * milliseconds, so only a wedged database gets near it, and then the call fails (closed) rather
 * than holding the gate forever.
 */
const LEDGER_CALL_MS = 600_000;

/**
 * Embedded PostgreSQL for the gate's ledger: in memory when dataDir is undefined, else persisted
 * in that directory. It runs in a worker thread (pglite-worker.ts): the database's work overlaps
 * the caller's, and in memory it starts from the process's empty cluster instead of running initdb.
 *
 * A directory is held by one process at a time (directory-lock.ts): a second opener is refused
 * with LEDGER_LOCKED naming the holder. Its parent is created, private (0700), on first use.
 */
export async function openPglite(dataDir?: string): Promise<SqlDatabase> {
  if (dataDir === undefined) return openPgliteWorker({ statementTimeoutMs: LEDGER_CALL_MS });
  const lock = await lockDirectory(dataDir);
  let db: SqlDatabase;
  try {
    // Made here, private, rather than by PGlite (which would make it world-readable): an empty
    // directory is where PGlite creates a new database.
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    db = await openPgliteWorker({ dataDir, statementTimeoutMs: LEDGER_CALL_MS });
  } catch (error) {
    await lock.release();
    throw error;
  }
  return {
    ...db,
    async close() {
      try {
        await db.close();
      } finally {
        await lock.release();
      }
    },
  };
}
