/**
 * D01's flawed ledger: "the audit log must never block production", so a ledger call that throws
 * (the database is down, the connection dropped) is logged and treated as done. With the ledger
 * down, a fully authorised request is allowed and its permit issued though no nonce was consumed
 * and nothing was recorded (G5, G6: a failing dependency inside the gate is a DENY).
 */
import { ok } from "../../../kernel/result.js";
import type { WrapLedger } from "../../../lane/index.js";

export const ledgerErrorsSwallowed: WrapLedger = (real) => ({
  commitAllow: (entry, control) => real.commitAllow(entry, control).catch(() => ok(undefined)),
  recordRefusal: (entry) => real.recordRefusal(entry).catch(() => ok(undefined)),
  isConsumed: (nonce) => real.isConsumed(nonce),
  consumedCount: () => real.consumedCount(),
  auditEntries: (limit) => real.auditEntries(limit),
});
