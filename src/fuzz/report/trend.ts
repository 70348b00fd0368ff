import type { FamilyResult } from "../types.js";
import type { Report } from "../report-types.js";
import { evaluateGate } from "../release/release-gate.js";
import type { GateRequirement } from "../release/types.js";

/** One run on the trend chart. */
export interface TrendPoint {
  readonly runId: string;
  readonly startedAt: string;
  /** Required attack families closed in that run alone. */
  readonly closed: number;
  readonly required: number;
  readonly probesPerSecond: number;
  readonly current: boolean;
}

/** Enough runs to see a trend, few enough that each bar stays readable. */
export const TREND_RUNS = 30;

/**
 * What makes two runs comparable on the trend: the system they were fired at. Today that is the
 * report's `target` name ("reference", "http:<origin>", "child:<command>"). This is the one hook
 * to change when the report carries a richer target identity (kind, address, keyring
 * fingerprint): the trend then follows it everywhere.
 */
export function trendIdentity(report: Report): string {
  return report.target;
}

/**
 * Earlier runs against the same target, oldest first, then this one; a history that already holds
 * this run is not doubled. A pass rate on the reference lane says nothing about a user's gate, so
 * runs against other targets are left out rather than drawn as one line.
 */
export function trendRuns(report: Report, history: readonly Report[]): Report[] {
  const identity = trendIdentity(report);
  const earlier = history
    .filter((past) => past.runId !== report.runId && trendIdentity(past) === identity)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return [...earlier, report].slice(-TREND_RUNS);
}

export function trendPoints(
  report: Report,
  history: readonly Report[],
  required: GateRequirement,
): TrendPoint[] {
  return trendRuns(report, history).map((run) => {
    const gate = evaluateGate([run], required);
    return {
      runId: run.runId,
      startedAt: run.startedAt,
      closed: gate.closed,
      required: gate.required,
      probesPerSecond: run.totals.probesPerSecond,
      current: run === report,
    };
  });
}

/** Closed as the gate sees one run: closed status, enough runs, nothing found. */
export function familyClosed(result: FamilyResult): boolean {
  return result.status.kind === "closed" && result.findings.length === 0 && result.runs >= result.minRuns;
}

/** Per family: in how many of the trend's runs it ran, and in how many of those it was closed. */
export function familyPassRates(runs: readonly Report[]): Map<string, { closed: number; ran: number }> {
  const rates = new Map<string, { closed: number; ran: number }>();
  for (const run of runs) {
    for (const result of run.families) {
      const rate = rates.get(result.family) ?? { closed: 0, ran: 0 };
      rates.set(result.family, { closed: rate.closed + (familyClosed(result) ? 1 : 0), ran: rate.ran + 1 });
    }
  }
  return rates;
}
