import fc from "fast-check";
import {
  ACTIONS,
  authorizedParts,
  authorizedRequest,
  labelOf,
  renderMutated,
  type ProbeFamily,
  entropy,
} from "../src/index.js";

interface Value {
  readonly entropy: number;
  readonly action: (typeof ACTIONS)[number];
}

/**
 * F5 positive control: correctly sealed, fully authorised requests for every action, each with
 * fresh grants, must be allowed. A gate that refuses everything cannot pass the fuzzer.
 */
export const family: ProbeFamily<Value> = {
  id: "C01",
  name: "gate-control",
  operation: "decide",
  role: "control",
  rules: ["G2", "G3", "G4", "G5"],
  minRuns: 40,
  arbitrary: () => fc.record({ entropy: entropy(), action: fc.constantFrom(...ACTIONS) }),
  render: async (value, ctx) =>
    renderMutated(await authorizedRequest(ctx, authorizedParts(ctx, labelOf(value), value.action)), []),
  breaks: () => undefined,
  describe: (value) => `fully authorised ${value.action}`,
};
