/**
 * A baseline applied to the reports of a run or a night. A finding the baseline names, unexpired,
 * becomes a warning; everything else stays as it was. Some findings can never be accepted, whatever
 * the file says: an ALLOW or PASS given to an attack (F1), anything leaked (F2: a permit, a seal, a
 * canary), a failed control (F5), and a canary in failclosed's own output (not a finding at all:
 * the report's canary field, which the baseline never touches). Only a state change (F3) or an
 * unstructured denial (F4: a crash, a 5xx, a hang) on an attack can be accepted for a while.
 */
import type { FamilyResult, Finding } from "../types.js";
import type { Report } from "../report-types.js";
import { findingFingerprint, ruleIds } from "../report/sarif-fingerprint.js";
import { type Baseline, type BaselineEntry, isExpired } from "./baseline.js";

export interface KnownFinding {
  readonly finding: Finding;
  readonly entry: BaselineEntry;
  readonly runId: string;
}

/** An entry that matched a finding it may not accept: the finding still fails the run. */
export interface RefusedEntry {
  readonly finding: Finding;
  readonly entry: BaselineEntry;
  readonly why: string;
}

export interface BaselineOutcome {
  /** The reports with every known finding taken out (see familyWithout). */
  readonly reports: readonly Report[];
  readonly known: readonly KnownFinding[];
  readonly refused: readonly RefusedEntry[];
  /** Past their date: they accept nothing, and say so. */
  readonly expired: readonly BaselineEntry[];
  /** Unexpired and matching no finding: the flaw may be fixed; the entry can go. */
  readonly unused: readonly BaselineEntry[];
}

/** Why a finding can never be accepted, or undefined when a baseline may accept it. */
export function neverAccepted(finding: Finding): string | undefined {
  if (finding.role === "control") return "a failed control (F5) always fails the run";
  const { oracleRule } = ruleIds(finding.rule);
  switch (oracleRule) {
    case "F3":
    case "F4":
      return undefined;
    case "F1":
      return "an ALLOW or PASS given to an attack (F1) always fails the run";
    case "F2":
      return "a leak (F2) always fails the run";
    default:
      return `a finding of ${oracleRule} always fails the run`;
  }
}

/**
 * A family without its known findings. Its runs stopped at the first failure, so when the known
 * finding cut it short of its minimum runs the family is inconclusive, never closed: accepting a
 * flaw does not prove the rest of the family.
 */
function familyWithout(result: FamilyResult, known: ReadonlySet<Finding>): FamilyResult {
  const kept = result.findings.filter((finding) => !known.has(finding));
  if (kept.length === result.findings.length) return result;
  if (kept.length > 0 || result.status.kind !== "finding") return { ...result, findings: kept };
  const status =
    result.runs >= result.minRuns
      ? ({ kind: "closed" } as const)
      : ({
          kind: "inconclusive",
          why: `stopped by a known (baselined) finding at ${result.runs} of ${result.minRuns} runs`,
        } as const);
  return { ...result, findings: kept, status };
}

export function applyBaseline(
  reports: readonly Report[],
  baseline: Baseline,
  nowMs: number,
): BaselineOutcome {
  const byFingerprint = new Map(baseline.entries.map((entry) => [entry.fingerprint, entry]));
  const used = new Set<BaselineEntry>();
  const known: KnownFinding[] = [];
  const refused: RefusedEntry[] = [];
  const out: Report[] = [];
  for (const report of reports) {
    const accepted = new Set<Finding>();
    for (const result of report.families) {
      for (const finding of result.findings) {
        const entry = byFingerprint.get(findingFingerprint(finding));
        if (entry === undefined || entry.family !== finding.family) continue;
        used.add(entry);
        if (isExpired(entry, nowMs)) continue;
        const why = neverAccepted(finding);
        if (why !== undefined) {
          refused.push({ finding, entry, why });
          continue;
        }
        accepted.add(finding);
        known.push({ finding, entry, runId: report.runId });
      }
    }
    const families = report.families.map((result) => familyWithout(result, accepted));
    const findings = families.reduce((sum, result) => sum + result.findings.length, 0);
    out.push(accepted.size === 0 ? report : { ...report, families, totals: { ...report.totals, findings } });
  }
  const expired = baseline.entries.filter((entry) => isExpired(entry, nowMs));
  const unused = baseline.entries.filter((entry) => !used.has(entry) && !isExpired(entry, nowMs));
  return { reports: out, known, refused, expired, unused };
}
