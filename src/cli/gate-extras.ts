/**
 * What `failclosed gate` does for the ecosystem besides its verdict: a baseline of known findings
 * applied before the gate judges, the merged SARIF log of every report, and inside GitHub Actions
 * the annotations and the job summary. Kept apart so the gate command stays a thin layer.
 */
import { writeFile } from "node:fs/promises";
import type { Report } from "../fuzz/report-types.js";
import type { GateResult } from "../fuzz/release/types.js";
import { applyBaseline, type BaselineOutcome } from "../fuzz/baseline/apply.js";
import { readBaseline } from "../fuzz/baseline/baseline.js";
import { formatBaseline } from "../fuzz/baseline/format.js";
import { writeGithubOutputs } from "../fuzz/report/github-actions.js";
import { findingFingerprint } from "../fuzz/report/sarif-fingerprint.js";
import { renderSarif } from "../fuzz/report/sarif.js";
import { FailclosedError } from "../kernel/errors.js";
import type { Io } from "./io.js";

export const GATE_EXTRAS_USAGE = `  --baseline FILE known findings accepted until their expiry: a warning, not a failure (never an
                  ALLOW or PASS to an attack, a leak, a canary or a failed control)
  --sarif FILE    also write every report's results as one SARIF 2.1.0 log (for code scanning)
In GitHub Actions (GITHUB_ACTIONS=true) findings are also printed as ::error annotations and the
decision is appended to $GITHUB_STEP_SUMMARY.`;

export const GATE_EXTRAS_FLAGS = {
  baseline: { type: "string" },
  sarif: { type: "string" },
} as const;

interface ExtraValues {
  readonly baseline?: string | undefined;
  readonly sarif?: string | undefined;
}

export interface Prepared {
  /** What the release gate judges: the reports less the findings the baseline accepts. */
  readonly reports: readonly Report[];
  readonly original: readonly Report[];
  readonly baseline?: BaselineOutcome;
}

export async function prepareReports(
  values: ExtraValues,
  reports: readonly Report[],
  io: Io,
): Promise<Prepared> {
  if (values.baseline === undefined) return { reports, original: reports };
  const now = Date.now();
  const outcome = applyBaseline(reports, await readBaseline(values.baseline, now), now);
  io.stdout(formatBaseline(outcome));
  return { reports: outcome.reports, original: reports, baseline: outcome };
}

export async function gateExtras(
  values: ExtraValues,
  prepared: Prepared,
  result: GateResult,
  io: Io,
): Promise<void> {
  const known = new Map(
    (prepared.baseline?.known ?? []).map(({ finding, entry }) => [
      findingFingerprint(finding),
      `accepted by the baseline until ${entry.expires}: ${entry.reason}`,
    ]),
  );
  if (values.sarif !== undefined) {
    try {
      await writeFile(
        values.sarif,
        renderSarif(prepared.original, { suppressed: (fingerprint) => known.get(fingerprint) }),
      );
    } catch (cause) {
      throw new FailclosedError("FILE_UNREADABLE", `${values.sarif}: cannot write the SARIF log`, { cause });
    }
  }
  await writeGithubOutputs(io.env, prepared.reports, result, io.stdout, prepared.baseline);
}
