import { DigestAbort } from "./failure.js";
import { CallerIsolationError } from "./transaction.js";

/**
 * Where and when the digest's statements ran: the backend and the transaction's start. Every
 * statement must run on one backend inside one transaction; a pooled session that changed
 * connections midway would have read a mixture of snapshots and settings.
 */
export interface Anchor {
  readonly pid: string;
  readonly started: string;
}

/** Select-list columns that read the anchor (and the isolation level) in any statement. */
export const ANCHOR_COLUMNS = `pg_catalog.pg_backend_pid()::pg_catalog.text AS pid,
  pg_catalog.transaction_timestamp()::pg_catalog.text AS started,
  pg_catalog.current_setting('transaction_isolation') AS isolation`;

export function textField(row: Readonly<Record<string, unknown>>, name: string): string {
  const value = row[name];
  if (typeof value !== "string") throw new TypeError(`digest: ${name} is not text`);
  return value;
}

export function anchorOf(row: Readonly<Record<string, unknown>>): Anchor {
  return { pid: textField(row, "pid"), started: textField(row, "started") };
}

/**
 * Sections are many statements; under READ COMMITTED each would see a different snapshot and a
 * concurrent commit could tear the digest. (The digest's own transaction is REPEATABLE READ; a
 * caller's must be too.)
 */
export function requireSnapshotIsolation(row: Readonly<Record<string, unknown>>): void {
  const isolation = row.isolation;
  if (isolation !== "repeatable read" && isolation !== "serializable")
    throw new CallerIsolationError(String(isolation));
}

export function requireSameTransaction(start: Anchor, now: Anchor): void {
  if (now.pid !== start.pid || now.started !== start.started) {
    throw new DigestAbort({
      kind: "digest_failed",
      section: "transaction",
      message: "the session changed connection or transaction while digesting",
    });
  }
}
