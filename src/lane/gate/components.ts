/**
 * The gate's swappable parts. Each seam exists for tests that prove the fuzzer catches a flawed
 * version of that part (issue: "each family must find a real bug"); production passes none, and
 * then every part is the shipped one below. Each seam is a plain function with the arguments the
 * shipped code already takes, so a flawed part is a drop-in replacement and nothing else moves.
 */
import { decodeDocument } from "../codec/decode.js";
import type { VerdictDocument } from "../codec/documents.js";
import { verifySealedDocument } from "../seal/verify.js";
import { checkGrants, evidenceSupports } from "./authorize.js";
import type { GateComponents } from "./component-types.js";
import type { Ledger } from "./ledger/types.js";
import { blockerOpen, optionPermits } from "./policy.js";
import { verdictBytes } from "./verdict.js";

export type * from "./component-types.js";

/** The shipped gate: what createGate uses for every part it is not given. */
export const SHIPPED_GATE_COMPONENTS: GateComponents = Object.freeze({
  decodeRequest: (bytes: Uint8Array) => decodeDocument("action-request", bytes),
  verifySeal: verifySealedDocument,
  optionPermits,
  blockerOpen,
  checkGrants,
  evidenceSupports,
  writeVerdict: (verdict: VerdictDocument) => verdictBytes(verdict),
  ledger: (configured: Ledger) => configured,
});

/**
 * The shipped parts with the given ones swapped in. Field by field rather than a spread: a seam
 * given as undefined keeps the shipped part instead of removing it.
 */
export function gateComponents(swapped: Partial<GateComponents> = {}): GateComponents {
  const shipped = SHIPPED_GATE_COMPONENTS;
  return {
    decodeRequest: swapped.decodeRequest ?? shipped.decodeRequest,
    verifySeal: swapped.verifySeal ?? shipped.verifySeal,
    optionPermits: swapped.optionPermits ?? shipped.optionPermits,
    blockerOpen: swapped.blockerOpen ?? shipped.blockerOpen,
    checkGrants: swapped.checkGrants ?? shipped.checkGrants,
    evidenceSupports: swapped.evidenceSupports ?? shipped.evidenceSupports,
    writeVerdict: swapped.writeVerdict ?? shipped.writeVerdict,
    ledger: swapped.ledger ?? shipped.ledger,
  };
}
