import { assertNever } from "../../kernel/result.js";
import { gateExitCode } from "../release/format.js";
import type { Report } from "../report-types.js";
import type { ReplayResult, RunResult } from "./types.js";

/**
 * Exit codes as the command line's EXIT table (src/cli/exit-codes.ts, pinned by a test); literals
 * here because the fuzzer does not import the CLI layer. A canary outranks a finding, a finding
 * outranks an incomplete run, and nothing incomplete is ever 0.
 */
export function reportExitCode(report: Report): 0 | 1 | 2 | 3 {
  const statuses = report.families.map((f) => f.status.kind);
  if (report.canary === "hit") return 3;
  if (statuses.includes("finding")) return 1;
  if (statuses.includes("inconclusive") || report.interrupted) return 2;
  return 0;
}

export function runExitCode(result: RunResult): 0 | 1 | 2 | 3 {
  switch (result.kind) {
    case "report":
      // The gate printed at the end of the run decides, so the text and the code always agree.
      return gateExitCode(result.gate);
    case "target-down":
      return 2;
    case "canary-in-output":
      return 3;
    default:
      return assertNever(result, "run result");
  }
}

export function replayExitCode(result: ReplayResult): 0 | 1 | 2 {
  switch (result.kind) {
    case "fail":
      return 1;
    case "pass":
      return 0;
    case "error":
      return 2;
    default:
      return assertNever(result, "replay result");
  }
}
