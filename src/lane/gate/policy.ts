import type { Action, Blocker, Option } from "../codec/documents.js";
import { OPTIONS } from "../codec/documents.js";

/** G2, G3: the weakest option that permits each action; a weaker one never implies a stronger. */
const REQUIRED_OPTION: Readonly<Record<Action, Option>> = {
  DRYRUN: "AUTHORIZE_PRODUCTION_DRYRUN_ONLY",
  REALRUN_PRECHECK: "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY",
  REAL_RUN: "AUTHORIZE_PRODUCTION_EXECUTION",
  QT001_APPLY: "AUTHORIZE_PRODUCTION_EXECUTION",
  PERMIT: "AUTHORIZE_PRODUCTION_EXECUTION",
  ACTIVATION: "AUTHORIZE_PRODUCTION_EXECUTION",
  REPOINT: "AUTHORIZE_PRODUCTION_EXECUTION",
  CUTOVER: "AUTHORIZE_PRODUCTION_EXECUTION",
};

export function optionPermits(selected: Option, action: Action): boolean {
  return OPTIONS.indexOf(selected) >= OPTIONS.indexOf(REQUIRED_OPTION[action]);
}

/**
 * G3: an irreversible action, and a real run itself, needs every blocker discharged. A real run
 * needs its REAL_RUN grant; every other irreversible action needs a REAL_RUN grant and a second,
 * distinct grant for exactly that action. DRYRUN and REALRUN_PRECHECK need their own grant only.
 */
export function requiredGrantActions(action: Action): readonly Action[] {
  switch (action) {
    case "DRYRUN":
    case "REALRUN_PRECHECK":
    case "REAL_RUN":
      return [action];
    case "QT001_APPLY":
    case "PERMIT":
    case "ACTIVATION":
    case "REPOINT":
    case "CUTOVER":
      return ["REAL_RUN", action];
  }
}

export function needsDischargedBlockers(action: Action): boolean {
  return REQUIRED_OPTION[action] === "AUTHORIZE_PRODUCTION_EXECUTION";
}

/** G3: a blocker stands in the way unless it is DISCHARGED, compared byte for byte (R8). */
export function blockerOpen(blocker: Blocker): boolean {
  return blocker.status !== "DISCHARGED";
}
