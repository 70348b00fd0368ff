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
 */
export function openPglite(dataDir?: string): Promise<SqlDatabase> {
  return openPgliteWorker({
    ...(dataDir === undefined ? {} : { dataDir }),
    statementTimeoutMs: LEDGER_CALL_MS,
  });
}
