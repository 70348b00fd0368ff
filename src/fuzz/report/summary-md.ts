import type { FamilyResult, Finding } from "../types.js";
import type { Report } from "../report-types.js";
import { writeAtomically } from "./atomic-write.js";
import { type CanaryScan, assertNoCanary } from "./canary.js";
import { describeAnswer, describeRecordedTarget } from "./finding-evidence.js";
import { replayCommand } from "./finding-file.js";
import { evaluateGate } from "../release/release-gate.js";
import type { GateRequirement } from "../release/types.js";
import { mdText } from "./markdown-escape.js";
import { formatDuration, formatRate, perSecond } from "./numbers.js";
import { RELEASE_FAMILIES } from "../release/families.js";

export const SUMMARY_FILE = "summary.md";

export interface SummaryOptions {
  /** Defaults to the ten RELEASE_FAMILIES. */
  readonly required?: GateRequirement;
}

function statusText(result: FamilyResult): string {
  switch (result.status.kind) {
    case "closed":
      return result.runs < result.minRuns ? "**too few runs**" : "closed";
    case "finding":
      return "**FINDING**";
    case "inconclusive":
      return `**inconclusive**: ${mdText(result.status.why)}`;
  }
}

function familyRow(result: FamilyResult): string {
  const cells = [
    mdText(result.family),
    mdText(result.name),
    result.role,
    `${result.runs}/${result.minRuns}`,
    statusText(result),
    String(result.findings.length),
    formatRate(perSecond(result.probes, result.elapsedMs)),
    result.firstProbeMs === undefined ? "-" : formatDuration(result.firstProbeMs),
  ];
  return `| ${cells.join(" | ")} |`;
}

/** A fence longer than any backtick run inside, so no command or answer can close it early. */
function fenced(text: string, info = "sh"): string[] {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, text, fence, ""];
}

function evidenceLines(finding: Finding): string[] {
  const evidence = finding.evidence;
  if (evidence === undefined) return [];
  return [
    `- target: ${mdText(describeRecordedTarget(evidence.target))}`,
    `- keyring: ${mdText(evidence.keyring.map((k) => `${k.kid} (${k.role}) ${k.thumbprint}`).join(", "))}`,
    "",
    ...(evidence.replay.curl === undefined
      ? []
      : ["- the same bytes with curl:", "", ...fenced(evidence.replay.curl)]),
    ...(evidence.answer === undefined
      ? []
      : ["- answer received:", "", ...fenced(describeAnswer(evidence.answer), "")]),
    ...evidence.seals.flatMap((seal, i) => [
      `- seal ${i + 1} decoded:`,
      "",
      ...fenced(`header ${seal.header}\npayload ${seal.payload}`, "json"),
    ]),
  ];
}

function findingSection(runId: string, finding: Finding): string[] {
  return [
    `### ${mdText(finding.id)}`,
    "",
    `- family: ${mdText(finding.family)} (${finding.role}, ${finding.operation}), ${finding.confirmation}`,
    `- oracle: ${mdText(finding.oracle)}, rule: ${mdText(finding.rule)}`,
    `- reason: ${mdText(finding.reason)}`,
    `- probe: ${mdText(finding.description)}`,
    `- seed ${finding.seed}${finding.path === undefined ? "" : `, path ${mdText(finding.path)}`}`,
    "- replay:",
    "",
    ...fenced(replayCommand(runId, finding)),
    ...evidenceLines(finding),
  ];
}

/** summary.md: the pass rate line, one table row per family, the gate's problems, every finding. */
export function renderSummaryMarkdown(report: Report, options: SummaryOptions = {}): string {
  const gate = evaluateGate([report], options.required ?? { families: RELEASE_FAMILIES });
  const findings = report.families.flatMap((result) => result.findings);
  const lines = [
    `# failclosed run ${mdText(report.runId)}`,
    "",
    `**Pass rate: ${gate.passRate}** (${gate.kind === "pass" ? "PASS" : "FAIL"})`,
    "",
    `- target: ${mdText(report.target)}`,
    `- seed ${report.seed} (rerun with \`failclosed run --seed ${report.seed}\`)`,
    ...(report.shard === undefined ? [] : [`- shard ${report.shard.index}/${report.shard.total}`]),
    `- started ${report.startedAt}, finished ${report.finishedAt} (${formatDuration(report.totals.elapsedMs)})`,
    `- ${report.totals.probes} probes, ${formatRate(report.totals.probesPerSecond)} probes/s, ${report.totals.findings} finding(s)`,
    `- canary: ${report.canary === "hit" ? "**HIT**" : "clean"}`,
    ...(report.interrupted ? ["- **interrupted**: this report is partial"] : []),
    `- versions: failclosed ${mdText(report.versions.failclosed)}, node ${mdText(report.versions.node)}, fast-check ${mdText(report.versions.fastCheck)}`,
    "",
    "## Families",
    "",
    "| id | name | role | runs/minRuns | status | findings | probes/s | first probe |",
    "|---|---|---|---:|---|---:|---:|---:|",
    ...report.families.map(familyRow),
    "",
  ];
  if (gate.kind === "fail") {
    lines.push("## Gate problems", "", ...gate.reasons.map((reason) => `- ${mdText(reason)}`), "");
  }
  if (findings.length > 0) {
    lines.push("## Findings", "", ...findings.flatMap((finding) => findingSection(report.runId, finding)));
  }
  return lines.join("\n");
}

export async function writeSummaryMarkdown(
  dir: string,
  report: Report,
  scan: CanaryScan,
  options: SummaryOptions = {},
): Promise<void> {
  const files = [{ name: SUMMARY_FILE, text: renderSummaryMarkdown(report, options) }];
  assertNoCanary(files, scan);
  await writeAtomically(dir, files);
}
