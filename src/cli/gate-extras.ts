/**
 * What `failclosed gate` writes for the ecosystem besides its verdict: the merged SARIF log of
 * every report, and inside GitHub Actions the annotations and the job summary. Kept apart from
 * the gate command so that the command stays the release gate's thin layer.
 */
import { writeFile } from "node:fs/promises";
import type { Report } from "../fuzz/report-types.js";
import type { GateResult } from "../fuzz/release/types.js";
import { writeGithubOutputs } from "../fuzz/report/github-actions.js";
import { renderSarif } from "../fuzz/report/sarif.js";
import { FailclosedError } from "../kernel/errors.js";
import type { Io } from "./io.js";

export const GATE_EXTRAS_USAGE = `  --sarif FILE    also write every report's results as one SARIF 2.1.0 log (for code scanning)
In GitHub Actions (GITHUB_ACTIONS=true) findings are also printed as ::error annotations and the
decision is appended to $GITHUB_STEP_SUMMARY.`;

export const GATE_EXTRAS_FLAGS = {
  sarif: { type: "string" },
} as const;

export async function gateExtras(
  values: { readonly sarif?: string | undefined },
  reports: readonly Report[],
  result: GateResult,
  io: Io,
): Promise<void> {
  if (values.sarif !== undefined) {
    try {
      await writeFile(values.sarif, renderSarif(reports));
    } catch (cause) {
      throw new FailclosedError("FILE_UNREADABLE", `${values.sarif}: cannot write the SARIF log`, { cause });
    }
  }
  await writeGithubOutputs(io.env, reports, result, io.stdout);
}
