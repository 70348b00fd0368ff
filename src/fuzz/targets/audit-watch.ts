/**
 * The audit-log rows a probe appended (the "rows" side channel, F2 searches them for key
 * material). Rows are read through the ledger's own read-only view and remembered by id, which
 * the database assigns in increasing order; each row becomes one line of JSON text.
 */
import type { AuditEntry, Ledger } from "../../lane/index.js";

export interface AuditWatch {
  /** Rows appended since the previous call (or since the watch began), oldest first. */
  appended(): Promise<readonly string[]>;
}

// A probe appends one row, and a second sub-seed firing beside it one more: a first page of four
// is nearly always enough, and a longer run of rows is read in pages four times larger each.
const FIRST_PAGE = 4;

/** Newest entries until one is not newer than `after`: usually one small read per probe. */
async function entriesAfter(ledger: Ledger, after: bigint): Promise<AuditEntry[]> {
  for (let limit = FIRST_PAGE; ; limit *= 4) {
    const entries = await ledger.auditEntries(limit);
    const oldest = entries[0];
    if (entries.length < limit || oldest === undefined || BigInt(oldest.id) <= after) {
      return entries.filter((entry) => BigInt(entry.id) > after);
    }
  }
}

export async function watchAudit(ledger: Ledger): Promise<AuditWatch> {
  const newest = (await ledger.auditEntries(1))[0];
  let last = newest === undefined ? 0n : BigInt(newest.id);
  return {
    async appended() {
      const entries = await entriesAfter(ledger, last);
      const latest = entries.at(-1);
      if (latest !== undefined) last = BigInt(latest.id);
      return entries.map((entry) => JSON.stringify(entry));
    },
  };
}
