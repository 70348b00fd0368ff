/**
 * `failclosed run --only D01,D02` on the reference lane, as a test drives it: the fault-drill
 * families at their minimum runs, with the given components swapped (none: the shipped lane).
 */
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { runFuzz } from "../../../src/fuzz/engine/engine.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import type { Report } from "../../../src/fuzz/report-types.js";
import { referenceOpener } from "../../../src/fuzz/targets/opener.js";
import type { ReferenceComponents } from "../../../src/fuzz/targets/reference.js";
import type { ProbeFamily } from "../../../src/fuzz/types.js";
import { families } from "../../../probes/d01-fault-drills.js";

export const [GATE_DRILL, LANE_DRILL] = families as [ProbeFamily, ProbeFamily];

export function runDrills(
  drills: readonly ProbeFamily[],
  workDir: string,
  components: ReferenceComponents = {},
  seed = 20_261_207,
): Promise<Report> {
  return runFuzz({
    families: drills,
    openTarget: referenceOpener(workDir, { components }),
    oracles: ORACLES,
    canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
    seed,
    budgetMs: 100_000,
    concurrency: 1,
    familyConcurrency: 1,
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    reporters: [],
    freshTargets: true,
  });
}
