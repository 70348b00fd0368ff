/**
 * F5 inside a scenario (P04's model-based sequences): a setup step spends grants that the family's
 * model says are fresh, so it must be allowed like a control. A refused setup is how a gate that
 * spent grants on an earlier refused or replayed request shows itself (G5, G8) on every transport,
 * state snapshots or not; the reason names the step, so the finding reads which one.
 */
import type { Oracle, OracleInput } from "../types.js";
import { judgeAllowed } from "./allowed.js";

function stepName(input: OracleInput): string {
  const step = input.step;
  return step === undefined ? "setup step" : `setup step ${step.index + 1} of ${step.count}`;
}

export const sequenceOracle: Oracle = {
  name: "sequence",
  rule: "F5",
  appliesTo: "setup",
  judge: (input) => judgeAllowed(input, stepName(input)),
};
