/** The console summary of a calibration: one line per flaw as it ends, then the verdict. */
import { assertNever } from "../../kernel/result.js";
import { printable } from "../report/printable.js";
import { calibrated, type CalibrationReport, type FlawOutcome } from "./results.js";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatFlaw(outcome: FlawOutcome): string {
  const id = outcome.id.padEnd(46);
  const result = outcome.result;
  switch (result.kind) {
    case "found":
      return `  found    ${id} ${result.family} ${result.oracle.padEnd(12)} in ${seconds(result.detectedMs)} (${result.probes} probes)`;
    case "missed":
      return `  MISSED   ${id} ${printable(result.why, 300)}`;
    case "not-run":
      return `  NOT RUN  ${id} ${printable(result.why, 300)}`;
    default:
      return assertNever(result, "flaw result");
  }
}

export function formatVerdict(report: CalibrationReport): string {
  const { found, flaws, elapsedMs } = report.totals;
  const disabled =
    report.disabledFamilies.length > 0 ? ` (families disabled: ${report.disabledFamilies.join(", ")})` : "";
  return calibrated(report)
    ? `CALIBRATED: ${found}/${flaws} planted flaws found in ${seconds(elapsedMs)}${disabled}`
    : `BLIND: ${flaws - found} of ${flaws} planted flaws not found in ${seconds(elapsedMs)}${disabled}: the fuzzer cannot be trusted to see them`;
}
