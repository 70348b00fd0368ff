import type { EngineEvent, Reporter } from "../events.js";
import type { Report } from "../report-types.js";
import { writeAtomically } from "./atomic-write.js";
import { type CanaryScan, type PendingFile, assertNoCanary } from "./canary.js";
import { renderFinding } from "./finding-file.js";
import type { GateRequirement } from "../release/types.js";
import { HTML_FILE, renderHtml } from "./html.js";
import { JUNIT_FILE, renderJunit } from "./junit.js";
import { REPORT_FILE, renderReportJson } from "./report-json.js";
import { SARIF_FILE, renderSarif } from "./sarif.js";
import { SUMMARY_FILE, renderSummaryMarkdown } from "./summary-md.js";

type Event<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

export interface FileReporterOptions {
  /** Defaults to the ten RELEASE_FAMILIES. */
  readonly required?: GateRequirement;
}

/** Every file a finished (or interrupted) run leaves in its report directory, rendered, unwritten. */
export function renderRunFiles(
  report: Report,
  history: readonly Report[],
  options: FileReporterOptions = {},
): PendingFile[] {
  return [
    ...report.families.flatMap((result) => result.findings.map(renderFinding)),
    { name: REPORT_FILE, text: renderReportJson(report) },
    { name: JUNIT_FILE, text: renderJunit(report) },
    { name: SUMMARY_FILE, text: renderSummaryMarkdown(report, options) },
    { name: HTML_FILE, text: renderHtml(report, history, options) },
    { name: SARIF_FILE, text: renderSarif([report]) },
  ];
}

/**
 * Writes a run's report directory (reports/<run-id>). Findings are written the moment they
 * arrive, so a run killed later keeps them. At run-end every file is rendered and scanned before
 * any is written: a canary in one leaves all unwritten. Once an "interrupted" event was seen the
 * report is written as interrupted whatever run-end says, so a partial run can never pass the gate.
 */
export function fileReporter(
  dir: string,
  scan: CanaryScan,
  history: readonly Report[],
  options: FileReporterOptions = {},
): Reporter {
  let interrupted = false;

  return {
    async onFinding(event: Event<"finding">) {
      const file = renderFinding(event.finding);
      assertNoCanary([file], scan);
      await writeAtomically(dir, [file]);
    },
    onInterrupted() {
      interrupted = true;
    },
    async onRunEnd(event: Event<"run-end">) {
      const report: Report =
        interrupted && !event.report.interrupted ? { ...event.report, interrupted: true } : event.report;
      const files = renderRunFiles(report, history, options);
      assertNoCanary(files, scan);
      // Findings are written again: the report's copy is the final word (e.g. after confirmation).
      await writeAtomically(dir, files);
    },
  };
}
