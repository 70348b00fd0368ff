/**
 * report.sarif: SARIF 2.1.0 (OASIS), the format code scanning (GitHub, GitLab, Azure DevOps) reads.
 * One result per finding and per inconclusive family, and one for a canary seen in the run's own
 * output. A result's rule is the SPEC rule the gate failed to enforce, from the catalogue in
 * sarif-rules.ts; its partialFingerprints hold the flaw's stable signature (sarif-fingerprint.ts)
 * so the same flaw found by another seed is the same alert; its location is the probe family's
 * file; its message carries the replay command.
 *
 * Written by hand over @types/sarif: the SARIF builders on npm (node-sarif-builder,
 * @microsoft/sarif-builder) are thin setters over the same object literal and add nothing a test
 * against the official schema does not check better (test/eco/sarif.test.ts).
 */
import type * as Sarif from "sarif";
import type { FamilyResult, Finding } from "../types.js";
import type { Report } from "../report-types.js";
import { writeAtomically } from "./atomic-write.js";
import { type CanaryScan, assertNoCanary } from "./canary.js";
import { replayCommand } from "./finding-file.js";
import { printable } from "./printable.js";
import { SARIF_RULES } from "./sarif-rules.js";
import {
  FINGERPRINT_KEY,
  findingFingerprint,
  inconclusiveFingerprint,
  ruleIds,
} from "./sarif-fingerprint.js";

export const SARIF_FILE = "report.sarif";
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** How a finding of a report is shown: the baseline (baseline/) marks known ones as accepted. */
export interface SarifOptions {
  /** A known finding: its result carries an accepted suppression with this justification. */
  readonly suppressed?: (fingerprint: string) => string | undefined;
}

const RULE_INDEX = new Map(SARIF_RULES.map((rule, index) => [rule.id, index]));

/**
 * Where a family's declaration lives: probes/<id>-<name>.ts, lower-case id (probes/p05-option-
 * escalation.ts). Families are found by directory and named this way (docs/probes.md).
 */
export function familyFile(result: Pick<FamilyResult, "family" | "name">): string {
  return `probes/${result.family.toLowerCase()}-${result.name}.ts`;
}

function ruleRef(id: string): Pick<Sarif.Result, "ruleId" | "ruleIndex"> {
  const index = RULE_INDEX.get(id);
  // An id outside the catalogue still names the rule; only the index is left out.
  return index === undefined ? { ruleId: id } : { ruleId: id, ruleIndex: index };
}

function location(result: FamilyResult): Sarif.Location[] {
  return [
    {
      physicalLocation: { artifactLocation: { uri: familyFile(result) }, region: { startLine: 1 } },
      message: { text: `${result.family} ${result.name}` },
    },
  ];
}

function findingResult(
  report: Report,
  family: FamilyResult,
  finding: Finding,
  options: SarifOptions,
): Sarif.Result {
  const { oracleRule, specRule } = ruleIds(finding.rule);
  const fingerprint = findingFingerprint(finding);
  const replay = replayCommand(report.runId, finding);
  const what = family.role === "control" ? "control did not hold" : `${specRule} not enforced`;
  const justification = options.suppressed?.(fingerprint);
  return {
    ...ruleRef(specRule),
    level: "error",
    kind: "fail",
    message: {
      text: [
        `${family.family} ${family.name}: ${what}: ${printable(finding.reason, 300)} (oracle ${finding.oracle}, ${oracleRule}, ${finding.confirmation}).`,
        `Probe: ${printable(finding.description, 400)}.`,
        `Seed ${finding.seed}${finding.path === undefined ? "" : `, path ${finding.path}`}.`,
        `Replay: ${replay}`,
      ].join(" "),
    },
    locations: location(family),
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint },
    ...(justification === undefined
      ? {}
      : { suppressions: [{ kind: "external", status: "accepted", justification }] }),
    properties: {
      family: family.family,
      role: family.role,
      oracle: finding.oracle,
      oracleRule,
      findingId: finding.id,
      confirmation: finding.confirmation,
      seed: finding.seed,
      runId: report.runId,
      target: finding.target,
      replay,
    },
  };
}

function inconclusiveResult(report: Report, family: FamilyResult, why: string): Sarif.Result {
  const rule = family.rules[0] ?? "F4";
  return {
    ...ruleRef(rule),
    level: "warning",
    kind: "open",
    message: {
      text: `${family.family} ${family.name} is inconclusive: ${printable(why, 300)}. Nothing about ${family.rules.join(", ")} was proven in run ${report.runId} (${family.runs} of ${family.minRuns} runs); an inconclusive family blocks the release gate.`,
    },
    locations: location(family),
    partialFingerprints: { [FINGERPRINT_KEY]: inconclusiveFingerprint(family, why) },
    properties: { family: family.family, role: family.role, runId: report.runId, rules: [...family.rules] },
  };
}

function canaryResult(report: Report): Sarif.Result {
  return {
    ...ruleRef("F2"),
    level: "error",
    kind: "fail",
    message: {
      text: `A canary planted in the keyring under test appeared in failclosed's own output in run ${report.runId}: key material leaked from the target.`,
    },
    partialFingerprints: { [FINGERPRINT_KEY]: "canary-in-output" },
    properties: { runId: report.runId },
  };
}

function resultsOf(report: Report, options: SarifOptions): Sarif.Result[] {
  const results: Sarif.Result[] = [];
  for (const family of report.families) {
    for (const finding of family.findings) results.push(findingResult(report, family, finding, options));
    if (family.status.kind === "inconclusive")
      results.push(inconclusiveResult(report, family, family.status.why));
  }
  if (report.canary === "hit") results.push(canaryResult(report));
  return results;
}

function invocation(report: Report): Sarif.Invocation {
  return {
    executionSuccessful: !report.interrupted,
    startTimeUtc: report.startedAt,
    endTimeUtc: report.finishedAt,
    ...(report.interrupted
      ? {
          toolExecutionNotifications: [
            {
              level: "error",
              message: { text: `run ${report.runId} was interrupted: its report is partial` },
            },
          ],
        }
      : {}),
    properties: {
      runId: report.runId,
      seed: report.seed,
      target: report.target,
      ...(report.shard === undefined ? {} : { shard: `${report.shard.index}/${report.shard.total}` }),
    },
  };
}

/** The SARIF log of one or more reports (the shards of a night merge into one run, one category). */
export function renderSarif(reports: readonly Report[], options: SarifOptions = {}): string {
  const version = reports[0]?.versions.failclosed ?? "0.0.0";
  const log: Sarif.Log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "failclosed",
            version,
            semanticVersion: version,
            rules: SARIF_RULES.map((rule) => ({
              id: rule.id,
              name: rule.name,
              shortDescription: { text: rule.text },
              fullDescription: { text: `${rule.id}: ${rule.text} (docs/protocol.md)` },
              defaultConfiguration: { level: "error" },
              properties: { tags: ["security", "fail-closed"] },
            })),
          },
        },
        automationDetails: { id: `failclosed/${reports.map((report) => report.runId).join("+")}` },
        invocations: reports.map(invocation),
        results: reports.flatMap((report) => resultsOf(report, options)),
        columnKind: "utf16CodeUnits",
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

export async function writeSarif(
  dir: string,
  reports: readonly Report[],
  scan: CanaryScan,
  options: SarifOptions = {},
): Promise<void> {
  const files = [{ name: SARIF_FILE, text: renderSarif(reports, options) }];
  assertNoCanary(files, scan);
  await writeAtomically(dir, files);
}
