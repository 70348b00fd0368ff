/** Only a confirmed finding by an expected family and oracle, showing the flaw, counts as found. */
import { describe, expect, it } from "vitest";
import type { Flaw } from "../../../src/fuzz/calibrate/flaw.js";
import { judgeFlawRun } from "../../../src/fuzz/calibrate/judge-flaw.js";
import { family, finding, report } from "../report/fixtures.js";

const FLAW: Flaw = {
  id: "p05-test",
  families: ["P05"],
  oracles: ["verdict"],
  component: "gate.optionPermits",
  models: "a test flaw of the option check",
  shows: /needs AUTHORIZE_PRODUCTION_EXECUTION/,
  swap: { kind: "component", components: {} },
};

function runWith(overrides: Parameters<typeof finding>[0], status = { kind: "finding" as const }) {
  const found = finding({
    family: "P05",
    oracle: "verdict",
    confirmation: "confirmed",
    description: "selected AUTHORIZE_PRODUCTION_DRYRUN_ONLY, CUTOVER needs AUTHORIZE_PRODUCTION_EXECUTION",
    foundAtMs: 1_234,
    ...overrides,
  });
  return report({ families: [family("P05", { status, findings: [found] })] });
}

describe("judgeFlawRun", () => {
  it("must fire: a confirmed verdict finding of P05 showing the flaw is found, with its time", () => {
    const result = judgeFlawRun(FLAW, runWith({}));
    expect(result).toMatchObject({ kind: "found", family: "P05", oracle: "verdict", detectedMs: 1_234 });
  });

  it.each([
    ["a flaky finding", { confirmation: "flaky" as const }],
    ["another oracle", { oracle: "state" }],
    ["another family", { family: "P06" }],
    ["a finding that does not show the flaw", { description: "a duplicate member" }],
  ])("must stay quiet: %s is not finding it", (_what, overrides) => {
    const result = judgeFlawRun(FLAW, runWith(overrides));
    expect(result.kind).toBe("missed");
  });

  it("says a family that closed missed it, and how many runs it took", () => {
    const closed = report({ families: [family("P05", { runs: 1000 })] });
    const result = judgeFlawRun(FLAW, closed);
    expect(result).toMatchObject({ kind: "missed", why: "P05 closed after 1000 runs" });
  });
});
