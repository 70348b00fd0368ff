/**
 * The fuzzer's own statement of the contract, written from SPEC sections 2 to 5. The oracles and the
 * generators of authorised controls read this and never the lane's policy: if both came from one
 * table, a wrong table in the gate would move the judge with it and that class of bug would be
 * invisible. test/fuzz/contract/contract.test.ts holds this and the reference lane's policy equal
 * on every action and option, so that a change in either is a deliberate change in both.
 */
import type { Action, Option, Role, SealType } from "../../lane/index.js";

/** Section 3: the options, weakest first. */
export const OPTION_LADDER: readonly Option[] = [
  "HOLD_PRODUCTION",
  "AUTHORIZE_PRODUCTION_DRYRUN_ONLY",
  "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY",
  "AUTHORIZE_PRODUCTION_EXECUTION",
];

/** G2, G3: the weakest option under which each action may be allowed. */
export function weakestOptionFor(action: Action): Option {
  switch (action) {
    case "DRYRUN":
      return "AUTHORIZE_PRODUCTION_DRYRUN_ONLY";
    case "REALRUN_PRECHECK":
      return "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY";
    case "REAL_RUN":
    case "QT001_APPLY":
    case "PERMIT":
    case "ACTIVATION":
    case "REPOINT":
    case "CUTOVER":
      return "AUTHORIZE_PRODUCTION_EXECUTION";
  }
}

/** G2: a weaker option never implies a stronger one. */
export function optionAllows(selected: Option, action: Action): boolean {
  return OPTION_LADDER.indexOf(selected) >= OPTION_LADDER.indexOf(weakestOptionFor(action));
}

/** Section 4: the actions SPEC calls irreversible. */
export function isIrreversible(action: Action): boolean {
  switch (action) {
    case "DRYRUN":
    case "REALRUN_PRECHECK":
    case "REAL_RUN":
      return false;
    case "QT001_APPLY":
    case "PERMIT":
    case "ACTIVATION":
    case "REPOINT":
    case "CUTOVER":
      return true;
  }
}

/**
 * G2, G3: the grants an action needs, one per entry. An irreversible action needs a REAL_RUN grant
 * and a second, distinct grant for exactly itself; every other action needs its own grant only.
 */
export function grantsNeeded(action: Action): readonly Action[] {
  return isIrreversible(action) ? ["REAL_RUN", action] : [action];
}

/** G3: every blocker must be DISCHARGED for an irreversible action and for a real run itself. */
export function needsDischargedBlockers(action: Action): boolean {
  return isIrreversible(action) || action === "REAL_RUN";
}

/** S1: the roles whose key may seal each document type (artifacts: the owner or the rehearsal lane). */
export function sealedBy(typ: SealType): readonly Role[] {
  switch (typ) {
    case "decision-packet+jws":
    case "grant+jws":
      return ["owner"];
    case "permit+jws":
      return ["gate"];
    case "evidence+jws":
      return ["rehearsal"];
    case "clone-marker+jws":
      return ["operator"];
    case "artifact+jws":
      return ["owner", "rehearsal"];
  }
}
