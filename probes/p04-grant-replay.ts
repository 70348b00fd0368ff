import {
  describeReplay,
  renderReplay,
  replayBreaks,
  replaySteps,
  replayValues,
  type ProbeFamily,
  type ReplayValue,
} from "../src/index.js";

/**
 * P04 grant-replay (G3, G5, G8): model-based sequences over a few grant pairs. The model decides
 * what each step must get: the first spend of fresh grants is a setup that must be allowed; every
 * reuse of a spent grant is an attack that must be refused and consume nothing; concurrent copies
 * of a fresh request are a race with exactly one ALLOW. fast-check shrinks the command list.
 */
export const family: ProbeFamily<ReplayValue> = {
  id: "P04",
  name: "grant-replay",
  operation: "decide",
  role: "attack",
  rules: ["G3", "G5", "G8"],
  minRuns: 250,
  // Its setups spend grants: no other family's state snapshot may span them.
  exclusive: true,
  arbitrary: replayValues,
  render: renderReplay,
  renderSteps: replaySteps,
  breaks: replayBreaks,
  describe: describeReplay,
};
