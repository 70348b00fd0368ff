/**
 * The gate's ledger with a fault switched in (ledger-unavailable, ledger-fails-mid-decision),
 * through the gate's ledger seam (lane/gate/components.ts). Only the two calls a decision makes
 * fail; the read-only views stay whole, so the drill can still read the audit rows written.
 */
import type { Ledger } from "../../lane/index.js";
import type { FaultName } from "./catalogue.js";
import { connectionDropped, connectionRefused } from "./dependency-errors.js";

export type LedgerFault = Extract<FaultName, `ledger-${string}`>;

export function faultyLedger(ledger: Ledger, fault: () => LedgerFault | undefined): Ledger {
  async function through<T>(call: () => Promise<T>): Promise<T> {
    const now = fault();
    switch (now) {
      case undefined:
        return call();
      case "ledger-unavailable":
        throw connectionRefused();
      case "ledger-fails-mid-decision":
        // The write happens; the answer never arrives. The gate cannot know what was committed.
        await call();
        throw connectionDropped();
    }
  }
  return {
    commitAllow: (entry, control) => through(() => ledger.commitAllow(entry, control)),
    recordRefusal: (entry) => through(() => ledger.recordRefusal(entry)),
    isConsumed: (nonce) => ledger.isConsumed(nonce),
    consumedCount: () => ledger.consumedCount(),
    auditEntries: (limit) => ledger.auditEntries(limit),
  };
}
