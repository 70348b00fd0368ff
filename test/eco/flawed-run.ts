/**
 * One family fuzzed against the reference lane with one component swapped for a flawed one from
 * src/fuzz/calibrate/flaws/, as test/probes/flawed-lanes.test.ts does: a finding whose
 * flaw is known, for the formats that must name it stably.
 */
import { flawedOpener } from "../../src/fuzz/calibrate/open-flawed.js";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canariesFromJwks } from "../../src/fuzz/canary/index.js";
import { runFuzz } from "../../src/fuzz/engine/engine.js";
import { ORACLES } from "../../src/fuzz/oracles/index.js";
import type { Report } from "../../src/fuzz/report-types.js";
import type { ReferenceComponents } from "../../src/fuzz/targets/reference.js";
import type { Oracle, ProbeFamily } from "../../src/fuzz/types.js";

export async function fuzzFlawed(
  family: ProbeFamily,
  components: ReferenceComponents,
  seed: number,
  oracles: readonly Oracle[] = ORACLES,
): Promise<Report> {
  const workDir = await mkdtemp(join(tmpdir(), "failclosed-eco-flawed-"));
  return runFuzz({
    families: [family],
    openTarget: flawedOpener({ kind: "component", components: components }, workDir),
    oracles,
    canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
    seed,
    runs: family.minRuns,
    budgetMs: 100_000,
    concurrency: 1,
    familyConcurrency: 1,
    timeoutMs: 15_000,
    signal: new AbortController().signal,
    reporters: [],
    freshTargets: true,
  });
}
