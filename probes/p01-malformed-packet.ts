import {
  describeMalformed,
  malformationsOf,
  malformedBreaks,
  malformedValues,
  renderMalformed,
  type MalformedValue,
  type ProbeFamily,
} from "../src/index.js";

/**
 * P01 malformed-packet (R1-R9, R11, S5): one to three malformations from the catalogue (bytes and
 * encoding, duplicates, depth and size, numbers, types, look-alikes, timestamps, identifiers,
 * unknown members), landed in the request, or in the packet or a grant the owner seals for real.
 */
export const family: ProbeFamily<MalformedValue> = {
  id: "P01",
  name: "malformed-packet",
  operation: "decide",
  role: "attack",
  rules: ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R11", "S5"],
  minRuns: 1_000,
  arbitrary: (ctx) => malformedValues(ctx, "P01", malformationsOf),
  render: renderMalformed,
  breaks: malformedBreaks,
  describe: describeMalformed,
};
