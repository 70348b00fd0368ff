/**
 * The fault drills' names (catalogue.ts says what each does). Stable: a finding records its fault
 * by name, a saved finding is read back by it, and the report schema lists the same names.
 */
export const FAULT_NAMES = [
  "ledger-unavailable",
  "ledger-fails-mid-decision",
  "clone-unavailable",
  "clone-vanishes-mid-rehearsal",
  "evidence-unwritable",
  "keyring-missing",
  "keyring-unreadable",
  "keyring-malformed",
  "keyring-wrong-role",
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];
