// Reports, reporters and the release gate: the fuzzer's output side.
export { type CanaryScan, CanaryInOutputError, isCanaryInOutputError } from "./canary.js";
export { validateReport, validateFinding } from "./schema.js";
export { readReport, loadHistory, MAX_REPORT_BYTES } from "./read.js";
export { writeReportJson, renderReportJson, REPORT_FILE } from "./report-json.js";
export {
  writeFinding,
  renderFinding,
  readFindingFile,
  findingFileName,
  replayCommand,
  assertFindingIntact,
  expectedFindingId,
} from "./finding-file.js";
export { writeJunit, renderJunit, JUNIT_FILE } from "./junit.js";
export {
  writeSummaryMarkdown,
  renderSummaryMarkdown,
  SUMMARY_FILE,
  type SummaryOptions,
} from "./summary-md.js";
export { writeHtml, renderHtml, HTML_FILE, type HtmlOptions } from "./html.js";
export { consoleReporter, type ConsoleReporterOptions, type ConsoleStream } from "./console-reporter.js";
export { writeSarif, renderSarif, familyFile, SARIF_FILE, type SarifOptions } from "./sarif.js";
export { findingFingerprint, inconclusiveFingerprint, FINGERPRINT_KEY } from "./sarif-fingerprint.js";
export { fileReporter, renderRunFiles, type FileReporterOptions } from "./file-reporter.js";
export { evaluateGate } from "../release/release-gate.js";
export { formatGate, gateExitCode } from "../release/format.js";
export type {
  GateFamily,
  GateProblem,
  GateProblemKind,
  GateRequirement,
  GateResult,
} from "../release/types.js";
export { RELEASE_FAMILIES } from "../release/families.js";
