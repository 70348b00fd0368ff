/**
 * F5, controls: a correctly sealed, fully authorised request is allowed and a clean rehearsal
 * passes, so a gate that refuses everything cannot pass the fuzzer (allowed.ts says what allowed
 * means: the verdict and its verifiable token).
 */
import type { Oracle } from "../types.js";
import { judgeAllowed } from "./allowed.js";

export const controlOracle: Oracle = {
  name: "control",
  rule: "F5",
  appliesTo: "control",
  judge: (input) => judgeAllowed(input, "control"),
};
