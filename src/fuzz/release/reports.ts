import type { Report } from "../report-types.js";
import type { GateProblem } from "./types.js";

/**
 * Checks on whole reports, before their families are merged: a canary hit or an interruption in
 * any report fails the gate, and no report may count twice (its runs would be added up twice).
 */
export function reportProblems(reports: readonly Report[]): GateProblem[] {
  const problems: GateProblem[] = [];
  if (reports.length === 0) problems.push({ kind: "missing", message: "no reports to judge" });
  const runIds = new Set<string>();
  const runsOf = new Map<string, string>();
  for (const report of reports) {
    const name = `report ${report.runId}`;
    if (report.canary === "hit") {
      problems.push({ kind: "canary", message: `${name}: a planted canary appeared in the run's output` });
    }
    if (report.interrupted) {
      problems.push({ kind: "interrupted", message: `${name} is partial: the run was interrupted` });
    }
    const listed = report.families.reduce((sum, result) => sum + result.findings.length, 0);
    if (report.totals.findings > listed) {
      problems.push({
        kind: "finding",
        message: `${name} counts ${report.totals.findings} findings but its families list ${listed}`,
      });
    }
    if (runIds.has(report.runId)) {
      problems.push({ kind: "inconclusive", message: `${name} was given twice: its runs would count twice` });
    }
    runIds.add(report.runId);
    // The same seed and shard fire the same probes again: more reports, no more coverage.
    const probes = `seed ${report.seed}${report.shard === undefined ? "" : ` shard ${report.shard.index}/${report.shard.total}`}`;
    const earlier = runsOf.get(probes);
    if (earlier !== undefined && earlier !== report.runId) {
      problems.push({
        kind: "inconclusive",
        message: `reports ${earlier} and ${report.runId} both ran ${probes}: the same probes cannot count twice`,
      });
    }
    runsOf.set(probes, report.runId);
  }
  return [...problems, ...missingShards(reports)];
}

/** Every shard split into N parts must be present, 1 to N, or its share of the runs is missing. */
function missingShards(reports: readonly Report[]): GateProblem[] {
  const seen = new Map<number, Set<number>>();
  for (const { shard } of reports) {
    if (shard === undefined) continue;
    const indices = seen.get(shard.total) ?? new Set<number>();
    indices.add(shard.index);
    seen.set(shard.total, indices);
  }
  const problems: GateProblem[] = [];
  for (const [total, indices] of [...seen].sort(([a], [b]) => a - b)) {
    for (let index = 1; index <= total; index++) {
      if (!indices.has(index))
        problems.push({ kind: "missing", message: `shard ${index}/${total} is missing` });
    }
  }
  return problems;
}
