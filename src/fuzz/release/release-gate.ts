import type { Report } from "../report-types.js";
import { groupFamilies, mergeFamily } from "./merge.js";
import { reportProblems } from "./reports.js";
import type { GateFamily, GateProblem, GateRequirement, GateResult } from "./types.js";

/**
 * The release gate over any number of reports (a night's run, or the shards of one). It passes
 * only when every required attack family is closed over the merged runs, every control held, no
 * report has a finding, an inconclusive family, a canary hit or an interruption. Like fast-check's
 * `check`, it returns a result; only the command line turns it into an exit code.
 */
export function evaluateGate(reports: readonly Report[], required: GateRequirement): GateResult {
  const problems: GateProblem[] = reportProblems(reports);
  const merged = new Map<string, GateFamily>();
  const wanted = new Set(required.families);
  for (const [id, results] of groupFamilies(reports)) {
    const { family, problems: found } = mergeFamily(results);
    merged.set(id, family);
    // An attack family left out of the requirement cannot hold the gate up by being incomplete;
    // a finding anywhere, and any control's problem, always does.
    const excusable = family.role === "attack" && !wanted.has(id);
    problems.push(...found.filter((problem) => !excusable || problem.kind === "finding"));
  }

  const notApplicable = notApplicableFamilies(reports, merged);
  const excused: string[] = [];
  const listed: GateFamily[] = [];
  let closed = 0;
  for (const id of new Set(required.families)) {
    const family = merged.get(id);
    const excuse = notApplicable.get(id);
    if (family === undefined && excuse !== undefined) {
      listed.push({
        verdict: "not-applicable",
        family: id,
        name: excuse.name,
        role: "attack",
        why: excuse.why,
      });
      if (required.applicable === true) {
        excused.push(id);
      } else {
        problems.push({
          kind: "missing",
          family: id,
          message: `${id} ${excuse.name}: not applicable to the target (${excuse.why}); to require only what applies, use --applicable`,
        });
      }
      continue;
    }
    if (family === undefined) {
      problems.push({ kind: "missing", family: id, message: `${id}: no report ran it` });
      listed.push({ verdict: "missing", family: id, role: "attack" });
      continue;
    }
    listed.push(family);
    if (family.role !== "attack") {
      problems.push({ kind: "missing", family: id, message: `${id}: ran as a control, not as an attack` });
    } else if (family.verdict === "closed") closed++;
  }
  problems.push(...controlProblems(merged, required, listed));
  for (const family of [...merged.values()].sort((a, b) => a.family.localeCompare(b.family))) {
    if (!listed.includes(family)) listed.push(family);
  }

  const total = new Set(required.families).size - excused.length;
  const passRate = `${closed}/${total}`;
  const common = { passRate, closed, required: total, families: listed, reports: reports.length, excused };
  if (problems.length === 0 && closed === total) return { kind: "pass", ...common };
  if (problems.length === 0) {
    // Unreachable while every shortfall above records a problem; kept so a pass is never implied.
    problems.push({ kind: "inconclusive", message: `only ${passRate} required families closed` });
  }
  return { kind: "fail", ...common, problems, reasons: problems.map((problem) => problem.message) };
}

/** Families some report left out as not applicable, unless another report ran them. */
function notApplicableFamilies(
  reports: readonly Report[],
  merged: ReadonlyMap<string, GateFamily>,
): Map<string, { name: string; why: string }> {
  const found = new Map<string, { name: string; why: string }>();
  for (const report of reports) {
    for (const entry of report.notApplicable ?? []) {
      if (!merged.has(entry.family) && !found.has(entry.family))
        found.set(entry.family, { name: entry.name, why: entry.why });
    }
  }
  return found;
}

/** F5: the named controls (or, by default, at least one) must have run; how they ran is judged in the merge. */
function controlProblems(
  merged: ReadonlyMap<string, GateFamily>,
  required: GateRequirement,
  listed: GateFamily[],
): GateProblem[] {
  const problems: GateProblem[] = [];
  if (required.controls === undefined) {
    if (![...merged.values()].some((family) => family.role === "control")) {
      problems.push({
        kind: "missing",
        message: "no control family ran: a gate that refuses everything would pass (F5)",
      });
    }
    return problems;
  }
  for (const id of new Set(required.controls)) {
    const family = merged.get(id);
    if (family === undefined) {
      problems.push({ kind: "missing", family: id, message: `control ${id}: no report ran it` });
      listed.push({ verdict: "missing", family: id, role: "control" });
    } else if (family.role !== "control") {
      problems.push({
        kind: "missing",
        family: id,
        message: `control ${id}: ran as an attack, not as a control`,
      });
    }
  }
  return problems;
}
