/**
 * The release gate with a calibration (issue #15): a blind fuzzer fails the release even when the
 * gate under test looks clean; so does a calibration that is missing, malformed, of another
 * failclosed version, or that leaves a flaw of the catalogue out.
 */
import { describe, expect, it } from "vitest";
import { flawIds } from "../../../src/fuzz/calibrate/catalogue.js";
import type { CalibrationRead } from "../../../src/fuzz/calibrate/report-file.js";
import { currentVersions } from "../../../src/fuzz/engine/versions.js";
import { withCalibration } from "../../../src/fuzz/release/calibration.js";
import { evaluateGate, gateExitCode, RELEASE_FAMILIES } from "../../../src/fuzz/report/index.js";
import { report } from "../report/fixtures.js";
import { calibration, found, outcome } from "./fixtures.js";

const CLEAN = evaluateGate([report()], { families: [...RELEASE_FAMILIES] });

function judged(read: CalibrationRead) {
  return withCalibration(CLEAN, { read, version: currentVersions().failclosed, flaws: flawIds() });
}

describe("gate --calibration", () => {
  it("must stay quiet: a clean run and a calibration that found every flaw pass", () => {
    expect(CLEAN.kind).toBe("pass");
    const result = judged({ kind: "read", report: calibration() });
    expect(result.kind).toBe("pass");
    expect(gateExitCode(result)).toBe(0);
  });

  it("must fire: a flaw the fuzzer did not find fails a clean run as blind (exit 1)", () => {
    const flaws = calibration().flaws.map((flaw) =>
      flaw.id === "p05-lexical-option-ladder"
        ? outcome(flaw.id, { kind: "not-run", why: "P05 disabled: nothing could find it" })
        : flaw,
    );
    const result = judged({ kind: "read", report: calibration({ flaws }) });
    expect(result.kind).toBe("fail");
    if (result.kind !== "fail") return;
    expect(result.problems).toEqual([expect.objectContaining({ kind: "blind", family: "P05" })]);
    expect(result.reasons[0]).toContain("did not find p05-lexical-option-ladder");
    expect(gateExitCode(result)).toBe(1);
  });

  it.each<[string, CalibrationRead, RegExp]>([
    ["missing", { kind: "unreadable", why: "cal.json: cannot read (ENOENT)" }, /missing/],
    ["malformed", { kind: "malformed", why: "cal.json: /v: must be equal to constant" }, /malformed/],
    [
      "of another version",
      { kind: "read", report: calibration({ failclosed: "0.0.1-other" }) },
      /0\.0\.1-other/,
    ],
    [
      "without a flaw of the catalogue",
      { kind: "read", report: calibration({ flaws: [found("p01-json-parse-codec")] }) },
      /was not calibrated/,
    ],
  ])("must fire: a calibration %s fails the release (exit 2)", (_what, read, reason) => {
    const result = judged(read);
    expect(result.kind).toBe("fail");
    if (result.kind !== "fail") return;
    expect(result.reasons.join("\n")).toMatch(reason);
    expect(gateExitCode(result)).toBe(2);
  });
});
