import {
  LEAK_FLAWS,
  describeLeak,
  leakBreaks,
  leakValues,
  renderLeakProbe,
  type LeakValue,
  type ProbeFamily,
} from "../src/index.js";

export type { LeakFlaw } from "../src/index.js";

/**
 * P10 token-leak (F2, G7): the fully authorised QT001_APPLY request with one flaw from the leak
 * flaw table, each carrying something worth echoing (the request's own seals, a permit really
 * signed by the gate key, template, format-string and path payloads, lying kids, deep errors).
 */
export const family: ProbeFamily<LeakValue> = {
  id: "P10",
  name: "token-leak",
  operation: "decide",
  role: "attack",
  rules: ["F2", "G7", "R1", "R3", "R4", "R7", "R11", "S1", "S2", "S3", "S4"],
  minRuns: 1_000,
  arbitrary: () => leakValues(LEAK_FLAWS),
  render: renderLeakProbe,
  breaks: leakBreaks,
  describe: describeLeak,
};
