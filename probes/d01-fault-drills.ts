import {
  AUTHORIZED_REQUESTS,
  CLEAN_MIGRATIONS,
  ESCAPING_MIGRATIONS,
  LEAK_ATTACKS,
  faultDrillFamily,
} from "../src/index.js";

/**
 * D01, D02 fault drills (issue #15): the reference gate and lane with a configuration or
 * dependency fault provoked on purpose (src/fuzz/faults/catalogue.ts), fired with P10's leak
 * attacks and C01's authorised requests (gate), P08's escapes and C02's clean migrations (lane).
 * Under a fault every request is refused, nothing answered, printed, written or recorded holds key
 * material, nothing printed is a stack trace, and a broken keyring stops the component at start
 * with a stable code. Only the reference lane can run them: an external target leaves them out.
 * Not release families: a finding fails the run all the same.
 */
export const families = [
  faultDrillFamily({
    id: "D01",
    name: "gate-fault-drill",
    operation: "decide",
    rules: ["F1", "F2", "F4", "G5", "G6", "G8", "R1", "S1", "S7"],
    minRuns: 32,
    attack: LEAK_ATTACKS,
    control: AUTHORIZED_REQUESTS,
  }),
  faultDrillFamily({
    id: "D02",
    name: "lane-fault-drill",
    operation: "rehearse",
    rules: ["C1", "C3", "C4", "C5", "C6", "C7", "E1", "F1", "F2", "F4", "R1", "S1", "S7"],
    minRuns: 12,
    attack: ESCAPING_MIGRATIONS,
    control: CLEAN_MIGRATIONS,
  }),
];
