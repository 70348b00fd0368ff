/**
 * Whole runs of the fault drills (the slow suite): D01 finds the calibration flaw that swallows
 * ledger errors, names its fault and replays it; D02 finds a lane that reports a rehearsal whose
 * clone vanished as PASS; and the shipped lane closes both (drills-quiet.test.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerErrorsSwallowed } from "../../../src/fuzz/calibrate/flaws/d01-ledger-errors-swallowed.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { replayFinding } from "../../../src/fuzz/engine/replay.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import { referenceOpener } from "../../../src/fuzz/targets/opener.js";
import type { ReferenceComponents } from "../../../src/fuzz/targets/reference.js";
import { encodeDocument } from "../../../src/lane/index.js";
import { GATE_DRILL, LANE_DRILL, runDrills } from "./drill-run.js";

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "failclosed-drills-runs-"));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("whole runs of the fault drills", () => {
  it("D01 finds the calibration flaw d01-ledger-errors-swallowed, names its fault, and replays it", async () => {
    const report = await runDrills([GATE_DRILL], workDir, { gate: { ledger: ledgerErrorsSwallowed } });
    const finding = report.families[0]?.findings[0];
    expect(report.families[0]?.status).toEqual({ kind: "finding" });
    expect(finding).toMatchObject({ family: "D01", oracle: "verdict", confirmation: "confirmed" });
    expect(finding?.fault).toMatch(/^ledger-/);
    expect(finding?.description).toMatch(/^under fault ledger-/);
    if (finding === undefined) return;
    // Replayed from its bytes and its fault, as `failclosed replay` does: it still fails.
    const replayed = await replayFinding(finding, {
      openTarget: referenceOpener(workDir, { components: { gate: { ledger: ledgerErrorsSwallowed } } }),
      oracles: ORACLES,
      timeoutMs: 30_000,
      canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
    });
    expect(replayed).toMatchObject({ kind: "fail", oracle: { name: "verdict" } });
  }, 300_000);

  it("D02 finds a lane that reports a rehearsal whose clone vanished as PASS", async () => {
    const passesLostDigests: NonNullable<ReferenceComponents["lane"]>["writeResult"] = (result) =>
      encodeDocument(
        "rehearsal-result",
        result.reasons.includes("digest_incomplete") || result.reasons.includes("server_error")
          ? // A digest it lost is "unchanged": after_rollback is taken to be before, after_apply made up.
            {
              ...result,
              verdict: "PASS",
              reasons: [],
              after_apply: result.after_apply ?? "a".repeat(64),
              after_rollback: result.before ?? null,
            }
          : result,
      );
    const report = await runDrills([LANE_DRILL], workDir, { lane: { writeResult: passesLostDigests } });
    const finding = report.families[0]?.findings[0];

    // Without evidence a PASS cannot even be encoded strictly: the lane's writer throws, which
    // is a crash (F4); with it, the verdict oracle (F1) names the PASS. Either way D02 sees it.
    expect(finding).toMatchObject({ family: "D02", fault: "clone-vanishes-mid-rehearsal" });
    expect(["verdict", "structured"]).toContain(finding?.oracle);
  }, 300_000);
});
