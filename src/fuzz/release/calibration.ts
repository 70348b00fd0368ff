/**
 * The release gate's calibration requirement (issue #15): a fuzzer that has gone blind fails the
 * release even when the gate under test looks clean. The calibration report must have been read,
 * be of this failclosed version, cover every flaw of the catalogue and show each one found.
 */
import type { CalibrationRead } from "../calibrate/report-file.js";
import type { GateProblem, GateResult } from "./types.js";

export interface CalibrationRequirement {
  readonly read: CalibrationRead;
  /** The failclosed version judging (a calibration of another build says nothing of this one). */
  readonly version: string;
  /** Every flaw id of the catalogue this build ships. */
  readonly flaws: readonly string[];
}

export function calibrationProblems(required: CalibrationRequirement): GateProblem[] {
  const { read } = required;
  switch (read.kind) {
    case "unreadable":
      return [{ kind: "missing", message: `calibration report missing: ${read.why}` }];
    case "malformed":
      return [{ kind: "missing", message: `calibration report malformed: ${read.why}` }];
    case "read":
      break;
  }
  const report = read.report;
  if (report.failclosed !== required.version)
    return [
      {
        kind: "missing",
        message: `calibration report is for failclosed ${report.failclosed}, not ${required.version}: calibrate this build`,
      },
    ];
  const problems: GateProblem[] = [];
  const byId = new Map(report.flaws.map((flaw) => [flaw.id, flaw] as const));
  for (const id of required.flaws) {
    const flaw = byId.get(id);
    if (flaw === undefined) {
      problems.push({ kind: "missing", message: `calibration: flaw ${id} was not calibrated` });
      continue;
    }
    if (flaw.result.kind !== "found")
      problems.push({
        kind: "blind",
        family: flaw.families[0],
        message: `calibration: the fuzzer did not find ${id} (${flaw.component}; ${flaw.result.why})`,
      });
  }
  return problems;
}

/** The gate's result with the calibration's problems added: a pass becomes a fail if there are any. */
export function withCalibration(result: GateResult, required: CalibrationRequirement): GateResult {
  const added = calibrationProblems(required);
  if (added.length === 0) return result;
  const problems = [...(result.kind === "fail" ? result.problems : []), ...added];
  return {
    kind: "fail",
    passRate: result.passRate,
    closed: result.closed,
    required: result.required,
    families: result.families,
    reports: result.reports,
    excused: result.excused,
    problems,
    reasons: problems.map((problem) => problem.message),
  };
}
