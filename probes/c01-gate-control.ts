import fc from "fast-check";
import {
  ACTIONS,
  authorizedParts,
  authorizedRequest,
  describeBase,
  labelOf,
  packetBases,
  renderMutated,
  type PacketBase,
  type ProbeFamily,
  entropy,
} from "../src/index.js";

interface Value {
  readonly entropy: number;
  readonly base: PacketBase;
  readonly action: (typeof ACTIONS)[number];
}

/**
 * F5 positive control: correctly sealed, fully authorised requests for every action, each with
 * fresh grants, must be allowed. A gate that refuses everything cannot pass the fuzzer. The
 * requests are built on every base the attacks start from (the built-in packet, every family's
 * seeds, schema-generated packets), so each run also proves the attacks start from a request the
 * gate allows: a base the gate refused would make its attacks pass for the wrong reason.
 */
export const family: ProbeFamily<Value> = {
  id: "C01",
  name: "gate-control",
  operation: "decide",
  role: "control",
  rules: ["G2", "G3", "G4", "G5"],
  minRuns: 120,
  arbitrary: (ctx) =>
    fc.record({ entropy: entropy(), base: packetBases(ctx), action: fc.constantFrom(...ACTIONS) }),
  render: async (value, ctx) =>
    renderMutated(
      await authorizedRequest(ctx, authorizedParts(ctx, labelOf(value), value.action, value.base)),
      [],
    ),
  breaks: () => undefined,
  describe: (value) => `fully authorised ${value.action} (${describeBase(value.base)})`,
};
