/**
 * What a release gate run in GitHub Actions shows: an annotation per finding (error), per
 * inconclusive family (warning) and for the decision itself, and a job summary in Markdown for
 * $GITHUB_STEP_SUMMARY. Pure renderers over the reports and the gate's result; github-actions.ts
 * decides when to write them.
 */
import type { FamilyResult, Finding } from "../types.js";
import type { Report } from "../report-types.js";
import type { GateFamily, GateResult } from "../release/types.js";
import type { BaselineOutcome } from "../baseline/apply.js";
import { replayCommand } from "./finding-file.js";
import { type Annotation, workflowCommand } from "./github-command.js";
import { mdText } from "./markdown-escape.js";
import { printable } from "./printable.js";
import { familyFile } from "./sarif.js";
import { ruleIds } from "./sarif-fingerprint.js";

function findingAnnotation(report: Report, family: FamilyResult, finding: Finding): Annotation {
  const { oracleRule, specRule } = ruleIds(finding.rule);
  const what = family.role === "control" ? "control did not hold" : `${specRule} not enforced`;
  return {
    level: "error",
    file: familyFile(family),
    line: 1,
    title: `failclosed ${family.family} ${family.name}: ${what}`,
    message: [
      `${printable(finding.reason, 300)} (oracle ${finding.oracle}, ${oracleRule}, ${finding.confirmation})`,
      `probe: ${printable(finding.description, 400)}`,
      `seed ${finding.seed}${finding.path === undefined ? "" : `, path ${finding.path}`}`,
      `replay: ${replayCommand(report.runId, finding)}`,
    ].join("\n"),
  };
}

/** Known findings and the baseline's stale entries, as warnings. */
function baselineAnnotations(baseline: BaselineOutcome | undefined): Annotation[] {
  if (baseline === undefined) return [];
  return [
    ...baseline.known.map(({ finding, entry, runId }) => ({
      level: "warning" as const,
      title: `failclosed ${finding.family}: known finding (baseline until ${entry.expires})`,
      message: `${finding.id} in run ${runId}: ${printable(finding.reason, 300)}\naccepted: ${printable(entry.reason, 300)}`,
    })),
    ...baseline.expired.map((entry) => ({
      level: "warning" as const,
      title: "failclosed baseline: expired entry",
      message: `${entry.fingerprint} (${entry.family}) expired on ${entry.expires}: it accepts nothing`,
    })),
    ...baseline.unused.map((entry) => ({
      level: "warning" as const,
      title: "failclosed baseline: unused entry",
      message: `${entry.fingerprint} (${entry.family}) matched no finding: remove it`,
    })),
  ];
}

export function githubAnnotations(
  reports: readonly Report[],
  result: GateResult,
  baseline?: BaselineOutcome,
): string[] {
  const annotations: Annotation[] = baselineAnnotations(baseline);
  for (const report of reports) {
    for (const family of report.families) {
      for (const finding of family.findings) annotations.push(findingAnnotation(report, family, finding));
      if (family.status.kind === "inconclusive") {
        annotations.push({
          level: "warning",
          file: familyFile(family),
          line: 1,
          title: `failclosed ${family.family} ${family.name}: inconclusive`,
          message: `${printable(family.status.why, 300)} (run ${report.runId}): nothing was proven; this blocks the release gate`,
        });
      }
    }
    if (report.canary === "hit") {
      annotations.push({
        level: "error",
        title: "failclosed: canary in output",
        message: `a canary planted in the keyring under test appeared in run ${report.runId}'s own output`,
      });
    }
  }
  annotations.push(
    result.kind === "pass"
      ? { level: "notice", title: "failclosed release gate", message: `PASS: pass rate ${result.passRate}` }
      : {
          level: "error",
          title: "failclosed release gate",
          message: [
            `FAIL: pass rate ${result.passRate}`,
            ...result.reasons.map((r) => printable(r, 300)),
          ].join("\n"),
        },
  );
  return annotations.map(workflowCommand);
}

function familyRow(family: GateFamily): string {
  const role = family.role === "control" ? " (control)" : "";
  if (family.verdict === "missing") return `| ${mdText(family.family)}${role} | | **missing** | | |`;
  if (family.verdict === "not-applicable")
    return `| ${mdText(family.family)}${role} | ${mdText(family.name)} | not applicable: ${mdText(family.why)} | | |`;
  const verdict = family.verdict === "closed" ? "closed" : `**${family.verdict}**`;
  return `| ${mdText(family.family)}${role} | ${mdText(family.name)} | ${verdict} | ${family.runs}/${family.minRuns} | ${family.findings} |`;
}

function findingLines(report: Report, finding: Finding): string[] {
  return [
    `- **${mdText(finding.id)}** (${mdText(finding.family)}, oracle ${mdText(finding.oracle)}, ${mdText(finding.rule)}): ${mdText(finding.reason)}`,
    `  - probe: ${mdText(finding.description)}`,
    // A code span shows the command as typed; a backtick in it cannot occur (ids are [A-Za-z0-9-]).
    `  - replay: \`${replayCommand(report.runId, finding)}\``,
  ];
}

/** The job summary: the decision first, then every family, every problem and every finding. */
export function githubStepSummary(reports: readonly Report[], result: GateResult): string {
  const head = result.kind === "pass" ? "PASS" : "FAIL";
  const lines = [
    `## failclosed release gate: ${head}, pass rate ${result.passRate}`,
    "",
    `Over ${result.reports} report(s): ${reports.map((report) => `\`${mdText(report.runId)}\``).join(", ")}.`,
    "",
    "| family | name | verdict | runs | findings |",
    "| --- | --- | --- | ---: | ---: |",
    ...result.families.map(familyRow),
  ];
  if (result.kind === "fail") {
    lines.push("", "### Problems", "", ...result.reasons.map((reason) => `- ${mdText(reason)}`));
  }
  const findings = reports.flatMap((report) =>
    report.families.flatMap((family) => family.findings.flatMap((finding) => findingLines(report, finding))),
  );
  if (findings.length > 0) lines.push("", "### Findings", "", ...findings);
  return `${lines.join("\n")}\n`;
}
