import { describe, expect, it } from "vitest";
import { ACTIONS, OPTIONS, SEALING_ROLES, type SealType } from "../../../src/lane/index.js";
import {
  blockerOpen,
  needsDischargedBlockers as laneNeedsDischarged,
  optionPermits,
  requiredGrantActions,
} from "../../../src/lane/gate/policy.js";
import {
  OPTION_LADDER,
  grantsNeeded,
  isIrreversible,
  needsDischargedBlockers,
  optionAllows,
  sealedBy,
} from "../../../src/fuzz/contract/contract.js";

// The two statements of the contract are written apart on purpose (the fuzzer's never imports the
// lane's); this is the one place they meet, so that a change in either is a visible change in both.
describe("the fuzzer's contract and the reference lane's policy agree", () => {
  it("on the option ladder", () => {
    expect(OPTION_LADDER).toEqual(OPTIONS);
  });

  it.each(ACTIONS.flatMap((action) => OPTIONS.map((option) => [action, option] as const)))(
    "%s under %s",
    (action, option) => {
      expect(optionAllows(option, action)).toBe(optionPermits(option, action));
    },
  );

  it.each(ACTIONS)("on the grants and blockers %s needs", (action) => {
    expect(grantsNeeded(action)).toEqual(requiredGrantActions(action));
    expect(needsDischargedBlockers(action)).toBe(laneNeedsDischarged(action));
  });

  it.each(Object.keys(SEALING_ROLES) as SealType[])("on who seals %s", (typ) => {
    expect([...sealedBy(typ)].sort()).toEqual([...SEALING_ROLES[typ]].sort());
  });

  it("on blockers: only DISCHARGED is closed", () => {
    for (const status of ["OPEN", "NARROWED", "CLASSIFIED", "PARTIALLY_DISCHARGED", "DISCHARGED"] as const) {
      expect(blockerOpen({ id: "B1", status, actors: ["owner"], gate: "g" })).toBe(status !== "DISCHARGED");
    }
  });
});

describe("the fuzzer's contract as SPEC states it", () => {
  it("G3: irreversible actions need REAL_RUN and their own grant, distinct", () => {
    for (const action of ["QT001_APPLY", "PERMIT", "ACTIVATION", "REPOINT", "CUTOVER"] as const) {
      expect(isIrreversible(action)).toBe(true);
      expect(grantsNeeded(action)).toEqual(["REAL_RUN", action]);
      expect(optionAllows("AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY", action)).toBe(false);
    }
  });

  it("G2: a weaker option never implies a stronger one", () => {
    expect(optionAllows("AUTHORIZE_PRODUCTION_DRYRUN_ONLY", "REALRUN_PRECHECK")).toBe(false);
    expect(optionAllows("AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY", "DRYRUN")).toBe(true);
    for (const action of ACTIONS) expect(optionAllows("HOLD_PRODUCTION", action)).toBe(false);
  });
});
