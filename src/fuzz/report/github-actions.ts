import { appendFile } from "node:fs/promises";
import type { Report } from "../report-types.js";
import type { GateResult } from "../release/types.js";
import type { BaselineOutcome } from "../baseline/apply.js";
import { githubAnnotations, githubStepSummary } from "./github.js";

/**
 * Inside GitHub Actions (GITHUB_ACTIONS=true, set by the runner): the annotations go to standard
 * output, where the runner reads workflow commands, and the summary is appended to the file named
 * by GITHUB_STEP_SUMMARY. Anywhere else nothing is written.
 */
export async function writeGithubOutputs(
  env: Readonly<Record<string, string | undefined>>,
  reports: readonly Report[],
  result: GateResult,
  stdout: (text: string) => void,
  baseline?: BaselineOutcome,
): Promise<void> {
  if (env["GITHUB_ACTIONS"] !== "true") return;
  stdout(`${githubAnnotations(reports, result, baseline).join("\n")}\n`);
  const summary = env["GITHUB_STEP_SUMMARY"];
  if (summary !== undefined && summary !== "") await appendFile(summary, githubStepSummary(reports, result));
}
