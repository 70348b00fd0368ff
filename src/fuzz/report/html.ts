import type { FamilyResult, Finding } from "../types.js";
import type { Report } from "../report-types.js";
import { writeAtomically } from "./atomic-write.js";
import { type CanaryScan, assertNoCanary } from "./canary.js";
import { describeAnswer, describeRecordedTarget } from "./finding-evidence.js";
import { replayCommand } from "./finding-file.js";
import { evaluateGate } from "../release/release-gate.js";
import type { GateRequirement } from "../release/types.js";
import { html } from "./html-escape.js";
import { REPORT_CSS } from "./html-style.js";
import { formatDuration, formatRate, perSecond } from "./numbers.js";
import { RELEASE_FAMILIES } from "../release/families.js";
import { familyClosed, familyPassRates, trendPoints, trendRuns } from "./trend.js";
import { passRateChart, rateChart } from "./trend-svg.js";

export const HTML_FILE = "report.html";

export interface HtmlOptions {
  /** Defaults to the ten RELEASE_FAMILIES. */
  readonly required?: GateRequirement;
}

function statusCell(result: FamilyResult): string {
  if (familyClosed(result)) return `<span class="closed">closed</span>`;
  switch (result.status.kind) {
    case "closed":
      return `<span class="bad">too few runs</span>`;
    case "finding":
      return `<span class="bad">FINDING</span>`;
    case "inconclusive":
      return `<span class="bad">inconclusive</span>: ${html(result.status.why)}`;
  }
}

function familyRow(result: FamilyResult, rate: { closed: number; ran: number } | undefined): string {
  const share = rate === undefined || rate.ran === 0 ? 0 : rate.closed / rate.ran;
  const cells = [
    `<td>${html(result.family)}</td>`,
    `<td>${html(result.name)}</td>`,
    `<td>${result.role}</td>`,
    `<td class="num">${result.runs}/${result.minRuns}</td>`,
    `<td>${statusCell(result)}</td>`,
    `<td class="num">${result.findings.length}</td>`,
    `<td class="num">${formatRate(perSecond(result.probes, result.elapsedMs))}</td>`,
    `<td class="num">${result.firstProbeMs === undefined ? "-" : html(formatDuration(result.firstProbeMs))}</td>`,
    `<td><span class="meter"><span style="width:${Math.round(share * 100)}%"></span></span> ${rate?.closed ?? 0}/${rate?.ran ?? 0}</td>`,
  ];
  return `<tr>${cells.join("")}</tr>`;
}

function evidenceBlocks(finding: Finding): string[] {
  const evidence = finding.evidence;
  if (evidence === undefined) return [];
  return [
    `<p>target: <code>${html(describeRecordedTarget(evidence.target))}</code></p>`,
    ...(evidence.replay.curl === undefined
      ? []
      : [`<p>the same bytes with curl: <code>${html(evidence.replay.curl)}</code></p>`]),
    ...(evidence.answer === undefined
      ? []
      : [
          `<details open><summary>answer received</summary><pre>${html(describeAnswer(evidence.answer))}</pre></details>`,
        ]),
    ...evidence.seals.map(
      (seal, i) =>
        `<details open><summary>seal ${i + 1} decoded</summary><pre>header ${html(seal.header)}\npayload ${html(seal.payload)}</pre></details>`,
    ),
  ];
}

function findingBlock(runId: string, finding: Finding): string {
  return [
    `<div class="finding" id="${html(finding.id)}">`,
    `<h3>${html(finding.id)} <small>(${html(finding.family)}, ${finding.confirmation})</small></h3>`,
    `<p>oracle <b>${html(finding.oracle)}</b>, rule ${html(finding.rule)}</p>`,
    `<p>reason: ${html(finding.reason)}</p>`,
    `<p>probe: ${html(finding.description)}</p>`,
    `<p>seed ${finding.seed}${finding.path === undefined ? "" : `, path ${html(finding.path)}`}</p>`,
    `<p>replay: <code>${html(replayCommand(runId, finding))}</code></p>`,
    ...evidenceBlocks(finding),
    `<details><summary>bytes fired (base64)</summary><pre>${html(finding.bytesB64)}</pre></details>`,
    `</div>`,
  ].join("\n");
}

/**
 * report.html: self-contained (inline CSS and SVG, no script, and a policy that forbids loading
 * anything), so it opens offline from a CI artifact and cannot call out.
 */
export function renderHtml(report: Report, history: readonly Report[], options: HtmlOptions = {}): string {
  const required = options.required ?? { families: RELEASE_FAMILIES };
  const gate = evaluateGate([report], required);
  const points = trendPoints(report, history, required);
  const rates = familyPassRates(trendRuns(report, history));
  const findings = report.families.flatMap((result) => result.findings);
  const body = [
    `<h1>failclosed run ${html(report.runId)}</h1>`,
    `<p>target ${html(report.target)} · seed ${report.seed} · ${html(report.startedAt)} to ${html(report.finishedAt)}` +
      `${report.shard === undefined ? "" : ` · shard ${report.shard.index}/${report.shard.total}`}</p>`,
    `<p class="banner ${gate.kind}">${gate.kind === "pass" ? "PASS" : "FAIL"}: pass rate ${gate.passRate}</p>`,
    `<p>${report.totals.probes} probes in ${html(formatDuration(report.totals.elapsedMs))} (${formatRate(report.totals.probesPerSecond)} probes/s) · ` +
      `${report.totals.findings} finding(s) · canary ${report.canary === "hit" ? '<span class="bad">HIT</span>' : "clean"}` +
      `${report.interrupted ? ' · <span class="bad">interrupted: partial report</span>' : ""}</p>`,
    gate.kind === "fail"
      ? `<ul>${gate.reasons.map((reason) => `<li>${html(reason)}</li>`).join("")}</ul>`
      : "",
    `<h2>Families</h2>`,
    `<table><thead><tr><th>id</th><th>name</th><th>role</th><th class="num">runs/minRuns</th><th>status</th>` +
      `<th class="num">findings</th><th class="num">probes/s</th><th class="num">first probe</th><th>closed in recent runs</th></tr></thead><tbody>`,
    ...report.families.map((result) => familyRow(result, rates.get(result.family))),
    `</tbody></table>`,
    `<h2>Trend over the last ${points.length} run(s) against this target</h2>`,
    `<h3>Pass rate</h3>`,
    passRateChart(points),
    `<h3>Probes per second</h3>`,
    rateChart(points),
    `<h2>Findings</h2>`,
    findings.length === 0
      ? "<p>None.</p>"
      : findings.map((finding) => findingBlock(report.runId, finding)).join("\n"),
    `<p><small>failclosed ${html(report.versions.failclosed)}, node ${html(report.versions.node)}, fast-check ${html(report.versions.fastCheck)}</small></p>`,
  ];
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // Defence in depth: even if a future change added a URL, the page may load nothing but itself.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>failclosed ${html(report.runId)}: ${gate.passRate}</title>`,
    `<style>${REPORT_CSS}</style>`,
    "</head>",
    "<body>",
    ...body.filter((part) => part !== ""),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export async function writeHtml(
  dir: string,
  report: Report,
  history: readonly Report[],
  scan: CanaryScan,
  options: HtmlOptions = {},
): Promise<void> {
  const files = [{ name: HTML_FILE, text: renderHtml(report, history, options) }];
  assertNoCanary(files, scan);
  await writeAtomically(dir, files);
}
