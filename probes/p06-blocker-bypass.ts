import {
  BLOCKER_FLAWS,
  blockerBreaks,
  blockerValues,
  describeBlockers,
  renderBlockers,
  type BlockerValue,
  type ProbeFamily,
} from "../src/index.js";

/**
 * P06 blocker-bypass (G3): the packet of a fully authorised REAL_RUN or irreversible request,
 * re-sealed by the owner, carries flaws from the blocker flaw table: blockers not discharged,
 * look-alike or mistyped statuses, a duplicate id, a missing or mistyped list, unknown actors.
 */
export const family: ProbeFamily<BlockerValue> = {
  id: "P06",
  name: "blocker-bypass",
  operation: "decide",
  role: "attack",
  rules: ["G3", "R7", "R8"],
  minRuns: 1_000,
  arbitrary: (ctx) => blockerValues(ctx, "P06", BLOCKER_FLAWS),
  render: renderBlockers,
  breaks: blockerBreaks,
  describe: describeBlockers,
};
