import { FailclosedError } from "../../lane/errors.js";
import type { Finding } from "../types.js";
import { writeAtomically } from "./atomic-write.js";
import { type CanaryScan, type PendingFile, assertNoCanary } from "./canary.js";
import { validateFinding } from "./schema.js";

/** findings/<id>.json inside a run's report directory. */
export function findingFileName(id: string): string {
  return `findings/${id}.json`;
}

/** What a user types to fire a saved finding's bytes again. */
export function replayCommand(runId: string, findingId: string): string {
  return `failclosed replay reports/${runId}/${findingFileName(findingId)}`;
}

/**
 * The exact Finding, validated first: its id becomes a file name (the schema admits only names
 * that stay inside findings/), and replay reads the file back with the same schema.
 */
export function renderFinding(finding: Finding): PendingFile {
  const valid = validateFinding(finding);
  if (!valid.ok) throw new FailclosedError("INTERNAL", `a finding does not match its schema: ${valid.error}`);
  return { name: findingFileName(finding.id), text: `${JSON.stringify(finding, null, 2)}\n` };
}

export async function writeFinding(dir: string, finding: Finding, scan: CanaryScan): Promise<void> {
  const files = [renderFinding(finding)];
  assertNoCanary(files, scan);
  await writeAtomically(dir, files);
}
