import { printable } from "../report/printable.js";
import type { BaselineOutcome } from "./apply.js";

/** Console lines: every known finding as a warning, every refused, expired and unused entry. */
export function formatBaseline(outcome: BaselineOutcome): string {
  const lines: string[] = [];
  for (const { finding, entry, runId } of outcome.known) {
    lines.push(
      `warning: known finding ${finding.id} (${finding.family}, ${finding.oracle}) in run ${runId}, accepted by the baseline until ${entry.expires}: ${printable(entry.reason, 200)}`,
    );
  }
  for (const { finding, entry, why } of outcome.refused) {
    lines.push(
      `baseline: entry ${entry.fingerprint.slice(0, 12)}… cannot accept finding ${finding.id}: ${why}`,
    );
  }
  for (const entry of outcome.expired) {
    lines.push(
      `baseline: entry ${entry.fingerprint.slice(0, 12)}… (${entry.family}) expired on ${entry.expires}: it accepts nothing; fix the flaw or renew the entry`,
    );
  }
  for (const entry of outcome.unused) {
    lines.push(
      `baseline: entry ${entry.fingerprint.slice(0, 12)}… (${entry.family}) matched no finding: the flaw may be fixed; remove the entry`,
    );
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
