import type { FamilyResult, Finding } from "../types.js";
import type { Report } from "../report-types.js";
import { writeAtomically } from "./atomic-write.js";
import { type CanaryScan, assertNoCanary } from "./canary.js";
import { replayCommand } from "./finding-file.js";
import { formatRate, perSecond } from "./numbers.js";
import { xmlAttr, xmlText } from "./xml-escape.js";

export const JUNIT_FILE = "junit.xml";

/** What the one test case of a family says, in JUnit's three outcomes. */
type Case =
  | { readonly kind: "passed" }
  | { readonly kind: "failure"; readonly type: string; readonly message: string; readonly body: string }
  | { readonly kind: "error"; readonly type: string; readonly message: string };

function attrs(values: Readonly<Record<string, string | number>>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${xmlAttr(String(value))}"`)
    .join("");
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function findingText(runId: string, finding: Finding): string {
  return [
    `${finding.id} (${finding.confirmation}): oracle ${finding.oracle}, rule ${finding.rule}`,
    `  reason: ${finding.reason}`,
    `  probe: ${finding.description}`,
    `  seed ${finding.seed}${finding.path === undefined ? "" : `, path ${finding.path}`}`,
    `  replay: ${replayCommand(runId, finding)}`,
  ].join("\n");
}

/**
 * A family's verdict as one test case, so CI shows ten (plus controls) green or red rows: findings
 * are a failure (the gate let something through), inconclusive is an error (nothing was proven).
 */
function familyCase(runId: string, result: FamilyResult): Case {
  const { status, findings } = result;
  if (status.kind === "finding" || findings.length > 0) {
    const first = findings[0];
    return {
      kind: "failure",
      type: "finding",
      message:
        first === undefined
          ? "a finding was reported but none saved"
          : `${findings.length} finding(s): ${first.reason.slice(0, 200)}`,
      body: findings.map((finding) => findingText(runId, finding)).join("\n\n"),
    };
  }
  if (status.kind === "inconclusive") return { kind: "error", type: "inconclusive", message: status.why };
  if (result.runs < result.minRuns) {
    return { kind: "error", type: "too-few-runs", message: `${result.runs} of ${result.minRuns} runs` };
  }
  return { kind: "passed" };
}

function caseXml(name: string, className: string, timeMs: number, outcome: Case): string {
  const open = `    <testcase${attrs({ classname: className, name, time: seconds(timeMs) })}`;
  switch (outcome.kind) {
    case "passed":
      return `${open}/>`;
    case "failure":
      return `${open}>\n      <failure${attrs({ type: outcome.type, message: outcome.message })}>${xmlText(outcome.body)}</failure>\n    </testcase>`;
    case "error":
      return `${open}>\n      <error${attrs({ type: outcome.type, message: outcome.message })}/>\n    </testcase>`;
  }
}

function suiteXml(
  name: string,
  timestamp: string,
  timeMs: number,
  cases: readonly string[],
  outcomes: readonly Case[],
  extra: string,
): string {
  const count = (kind: Case["kind"]): number => outcomes.filter((outcome) => outcome.kind === kind).length;
  const head = `  <testsuite${attrs({
    name,
    tests: outcomes.length,
    failures: count("failure"),
    errors: count("error"),
    skipped: 0,
    time: seconds(timeMs),
    timestamp,
  })}>`;
  return [head, extra, ...cases, "  </testsuite>"].filter((line) => line !== "").join("\n");
}

function familySuite(
  report: Report,
  result: FamilyResult,
  timestamp: string,
): { xml: string; outcome: Case } {
  const outcome = familyCase(report.runId, result);
  const properties = {
    family: result.family,
    role: result.role,
    operation: result.operation,
    rules: result.rules.join(" "),
    seed: result.seed,
    runs: result.runs,
    minRuns: result.minRuns,
    probes: result.probes,
    "probes-per-second": formatRate(perSecond(result.probes, result.elapsedMs)),
  };
  const extra = [
    "    <properties>",
    ...Object.entries(properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    "    </properties>",
  ].join("\n");
  const name = result.role === "control" ? "control holds" : "closed";
  const testcase = caseXml(name, `failclosed.${result.family}`, result.elapsedMs, outcome);
  return {
    xml: suiteXml(
      `${result.family} ${result.name}`,
      timestamp,
      result.elapsedMs,
      [testcase],
      [outcome],
      extra,
    ),
    outcome,
  };
}

/** The run as a whole: a canary in the output fails it, an interruption leaves it unproven. */
function runSuite(report: Report, timestamp: string): { xml: string; outcomes: Case[] } {
  const canary: Case =
    report.canary === "hit"
      ? {
          kind: "failure",
          type: "canary",
          message: "a planted canary appeared in the run's output",
          body: "",
        }
      : { kind: "passed" };
  const complete: Case = report.interrupted
    ? { kind: "error", type: "interrupted", message: "the run was interrupted; this report is partial" }
    : { kind: "passed" };
  const outcomes = [canary, complete];
  const cases = [
    caseXml("no canary in output", "failclosed.run", 0, canary),
    caseXml("run completed", "failclosed.run", 0, complete),
  ];
  return {
    xml: suiteXml("failclosed run", timestamp, report.totals.elapsedMs, cases, outcomes, ""),
    outcomes,
  };
}

/** junit.xml: one testsuite per family with one test case, plus one suite for the run itself. */
export function renderJunit(report: Report): string {
  // JUnit's timestamp is a local date-time without a zone; the UTC instant to the second fits.
  const timestamp = report.startedAt.slice(0, 19);
  const families = report.families.map((result) => familySuite(report, result, timestamp));
  const run = runSuite(report, timestamp);
  const outcomes = [...families.map((family) => family.outcome), ...run.outcomes];
  const root = attrs({
    name: `failclosed ${report.runId}`,
    tests: outcomes.length,
    failures: outcomes.filter((outcome) => outcome.kind === "failure").length,
    errors: outcomes.filter((outcome) => outcome.kind === "error").length,
    time: seconds(report.totals.elapsedMs),
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${root}>`,
    ...families.map((family) => family.xml),
    run.xml,
    "</testsuites>",
    "",
  ].join("\n");
}

export async function writeJunit(dir: string, report: Report, scan: CanaryScan): Promise<void> {
  const files = [{ name: JUNIT_FILE, text: renderJunit(report) }];
  assertNoCanary(files, scan);
  await writeAtomically(dir, files);
}
