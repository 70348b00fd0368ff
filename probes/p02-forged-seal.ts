import {
  SEAL_FLAWS,
  describeForgedSeals,
  forgedSealBreaks,
  forgedSealValues,
  renderForgedSeals,
  type ForgedSealValue,
  type ProbeFamily,
} from "../src/index.js";

/**
 * P02 forged-seal (S1-S6): a fully authorised request in which one or two seals (the packet's, a
 * grant's, the QT001 evidence's) carry one flaw each from the seal flaw table (tampered bytes,
 * wrong key or role, alg and header tricks, base64 malleability, typ confusion, detached payload).
 * Everything else is what a correct gate allows, so the flaw is all between the probe and a permit.
 */
export const family: ProbeFamily<ForgedSealValue> = {
  id: "P02",
  name: "forged-seal",
  operation: "decide",
  role: "attack",
  rules: ["S1", "S2", "S3", "S4", "S5", "S6"],
  minRuns: 1_000,
  arbitrary: (ctx) => forgedSealValues(ctx, "P02", SEAL_FLAWS),
  render: renderForgedSeals,
  breaks: forgedSealBreaks,
  describe: describeForgedSeals,
};
