/** Calibration reports built in memory, for the tests of the report file and the release gate. */
import { CATALOGUE } from "../../../src/fuzz/calibrate/catalogue.js";
import type { CalibrationReport, FlawOutcome, FlawResult } from "../../../src/fuzz/calibrate/results.js";
import { currentVersions } from "../../../src/fuzz/engine/versions.js";

export function outcome(id: string, result: FlawResult): FlawOutcome {
  const flaw = CATALOGUE.find((f) => f.id === id);
  return {
    id,
    families: flaw?.families ?? ["P01"],
    oracles: flaw?.oracles ?? ["verdict"],
    component: flaw?.component ?? "gate.decodeRequest",
    models: flaw?.models ?? "a test flaw",
    elapsedMs: 1_000,
    result,
  };
}

export function found(id: string): FlawOutcome {
  const family = CATALOGUE.find((f) => f.id === id)?.families[0] ?? "P01";
  return outcome(id, {
    kind: "found",
    family,
    oracle: "verdict",
    rule: "F1 (R7)",
    detectedMs: 500,
    probes: 12,
  });
}

/** Every flaw of the catalogue found, by this build: a calibration the release gate accepts. */
export function calibration(overrides: Partial<CalibrationReport> = {}): CalibrationReport {
  const flaws = overrides.flaws ?? CATALOGUE.map((flaw) => found(flaw.id));
  return {
    kind: "failclosed-calibration",
    v: 1,
    failclosed: currentVersions().failclosed,
    seed: 7,
    startedAt: "2026-12-07T04:00:00Z",
    finishedAt: "2026-12-07T04:03:00Z",
    disabledFamilies: [],
    flaws,
    totals: {
      flaws: flaws.length,
      found: flaws.filter((f) => f.result.kind === "found").length,
      elapsedMs: 180_000,
    },
    ...overrides,
  };
}
