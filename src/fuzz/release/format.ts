import { assertNever } from "../../kernel/result.js";
import type { GateFamily, GateResult } from "./types.js";
import { printable } from "../report/printable.js";

/**
 * The gate's exit code. The values equal the command line's EXIT table (src/cli/exit-codes.ts,
 * pinned by a test); they are literals here because the fuzzer does not import the CLI layer.
 * A canary outranks everything, a finding or failed control outranks an incomplete run.
 */
export function gateExitCode(result: GateResult): 0 | 1 | 2 | 3 {
  switch (result.kind) {
    case "pass":
      return 0;
    case "fail": {
      const kinds = new Set(result.problems.map((problem) => problem.kind));
      if (kinds.has("canary")) return 3;
      if (kinds.has("finding") || kinds.has("control") || kinds.has("blind")) return 1;
      return 2;
    }
    default:
      return assertNever(result, "gate result");
  }
}

function familyLine(family: GateFamily): string {
  const role = family.role === "control" ? " (control)" : "";
  if (family.verdict === "missing") return `  ${`${family.family}${role}`.padEnd(36)} MISSING`;
  if (family.verdict === "not-applicable") {
    const label = `${family.family} ${printable(family.name, 24)}`.padEnd(36);
    return `  ${label} ${"N/A".padEnd(12)} ${printable(family.why, 120)}`;
  }
  const label = `${family.family} ${printable(family.name, 24)}${role}`.padEnd(36);
  const state = (family.verdict === "closed" ? "closed" : family.verdict.toUpperCase()).padEnd(12);
  const findings = family.findings > 0 ? `, ${family.findings} finding(s)` : "";
  const shards = family.reports > 1 ? ` over ${family.reports} reports` : "";
  return `  ${label} ${state} ${family.runs}/${family.minRuns} runs${shards}${findings}`;
}

/** Lines for the console: every family, then every problem, and last the pass rate as N/10. */
export function formatGate(result: GateResult): string {
  const lines = [`release gate over ${result.reports} report(s):`, ...result.families.map(familyLine)];
  if (result.kind === "fail") {
    lines.push("problems:", ...result.reasons.map((reason) => `  - ${printable(reason, 400)}`));
  }
  // The last line alone must never read like the opposite of the exit code: a FAIL with every
  // required family closed says why.
  const excused = result.excused.length > 0 ? ` (${result.excused.join(", ")} not applicable)` : "";
  const why = result.kind === "fail" ? `: ${result.problems.length} problem(s) above` : "";
  lines.push(`${result.kind === "pass" ? "PASS" : "FAIL"}: pass rate ${result.passRate}${excused}${why}`);
  return `${lines.join("\n")}\n`;
}
