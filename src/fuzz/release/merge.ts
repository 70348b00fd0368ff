import type { FamilyResult, Finding, ProbeRole } from "../types.js";
import type { Report } from "../report-types.js";
import type { GateFamily, GateProblem } from "./types.js";
import { printable } from "../report/printable.js";

type Merged = Exclude<GateFamily, { verdict: "missing" }>;

/** Every report's result for each family id, in the order the families first appear. */
export function groupFamilies(reports: readonly Report[]): Map<string, FamilyResult[]> {
  const groups = new Map<string, FamilyResult[]>();
  for (const report of reports) {
    for (const result of report.families) {
      const group = groups.get(result.family) ?? [];
      group.push(result);
      groups.set(result.family, group);
    }
  }
  return groups;
}

/**
 * One family over all reports that ran it (shards): closed only if every report says closed, no
 * report lists a finding, and the runs add up to its minimum. Anything else is a problem.
 */
export function mergeFamily(results: readonly FamilyResult[]): { family: Merged; problems: GateProblem[] } {
  const first = results[0];
  if (first === undefined) throw new Error("mergeFamily: no results");
  const id = first.family;
  const label = `${id} ${first.name}`;
  const problems: GateProblem[] = [];
  const roles = new Set<ProbeRole>(results.map((result) => result.role));
  if (roles.size > 1) {
    problems.push({ kind: "inconclusive", family: id, message: `${label}: reports disagree on its role` });
  }
  // Any report calling it a control makes it one: a control's failure must never be overlooked.
  const role: ProbeRole = roles.has("control") ? "control" : "attack";
  const findings: Finding[] = results.flatMap((result) => result.findings);
  const runs = results.reduce((sum, result) => sum + result.runs, 0);
  const minRuns = Math.max(...results.map((result) => result.minRuns));
  const inconclusive = results.flatMap((result) =>
    result.status.kind === "inconclusive" ? [result.status.why] : [],
  );
  const hasFinding = findings.length > 0 || results.some((result) => result.status.kind === "finding");
  const verdict: Merged["verdict"] = hasFinding
    ? "finding"
    : inconclusive.length > 0
      ? "inconclusive"
      : runs < minRuns
        ? "too-few-runs"
        : "closed";
  // A control that was refused is a failed control (exit 1); one that merely lacks runs, like any
  // family, leaves the gate inconclusive (exit 2).
  const kind = verdict === "finding" ? (role === "control" ? "control" : "finding") : "inconclusive";
  const what =
    role === "control"
      ? verdict === "finding"
        ? `${label} (control) did not hold`
        : `${label} (control)`
      : label;
  switch (verdict) {
    case "closed":
      break;
    case "finding":
      for (const finding of findings) {
        problems.push({
          kind,
          family: id,
          message: `${what}: finding ${finding.id} (${finding.oracle}, ${finding.confirmation}): ${printable(finding.reason, 160)}`,
        });
      }
      if (findings.length === 0) {
        problems.push({ kind, family: id, message: `${what}: a report says finding but saved none` });
      }
      break;
    case "inconclusive":
      problems.push({
        kind,
        family: id,
        message: `${what}: inconclusive: ${printable(inconclusive.join("; "), 200)}`,
      });
      break;
    case "too-few-runs":
      problems.push({
        kind,
        family: id,
        message: `${what}: ${runs} of ${minRuns} required runs over ${results.length} report(s)`,
      });
      break;
  }
  return {
    family: {
      verdict,
      family: id,
      name: first.name,
      role,
      runs,
      minRuns,
      reports: results.length,
      findings: findings.length,
    },
    problems,
  };
}
