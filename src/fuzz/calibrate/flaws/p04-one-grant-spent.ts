/**
 * P04's second flawed ledger: one grant spent per decision. The consumed-grant table was designed
 * with one row per ALLOW (a decision spends "its grant"), so an irreversible action, which uses a
 * REAL_RUN grant and a grant for the action itself, spends only the first it lists; the other
 * stays spendable and, mixed with a fresh partner, authorises a second action (G5: the gate
 * consumes the nonces of the grants it used, all of them).
 */
import type { WrapLedger } from "../../../lane/index.js";

export const oneGrantSpent: WrapLedger = (real) => ({
  // The flaw: only the first grant's nonce is recorded.
  commitAllow: (entry, control) => real.commitAllow({ ...entry, grants: entry.grants.slice(0, 1) }, control),
  recordRefusal: (entry) => real.recordRefusal(entry),
  isConsumed: (nonce) => real.isConsumed(nonce),
  consumedCount: () => real.consumedCount(),
  auditEntries: (limit) => real.auditEntries(limit),
});
