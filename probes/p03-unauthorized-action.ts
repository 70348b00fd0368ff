import {
  GRANT_PROBLEMS,
  describeGrants,
  grantBreaks,
  grantValues,
  renderGrants,
  type GrantValue,
  type ProbeFamily,
} from "../src/index.js";

/**
 * P03 unauthorized-action (G1-G4): a fully authorised request for one action with one to three
 * problems from the grant problem table: missing, wrong-action, wrong-packet, expired, not-yet-valid
 * or doubled grants, shared nonces, extra grants, a weaker option, missing or mismatched evidence.
 * Every grant stays correctly sealed by the owner; the grants an action needs come from the
 * fuzzer's own contract (grantsNeeded).
 */
export const family: ProbeFamily<GrantValue> = {
  id: "P03",
  name: "unauthorized-action",
  operation: "decide",
  role: "attack",
  rules: ["G1", "G2", "G3", "G4"],
  minRuns: 1_000,
  arbitrary: () => grantValues(GRANT_PROBLEMS),
  render: renderGrants,
  breaks: grantBreaks,
  describe: describeGrants,
};
