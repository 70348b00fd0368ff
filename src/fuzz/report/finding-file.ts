import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { scanJson } from "../../lane/index.js";
import { FailclosedError } from "../../kernel/errors.js";
import type { Finding } from "../types.js";
import { writeAtomically } from "./atomic-write.js";
import { type CanaryScan, type PendingFile, assertNoCanary } from "./canary.js";
import { validateFinding } from "./schema.js";

/** findings/<id>.json inside a run's report directory. */
export function findingFileName(id: string): string {
  return `findings/${id}.json`;
}

/**
 * What a user types to fire a saved finding's bytes again: the finding's own record (made by the
 * run API with the report directory, target and keyring actually used), else the default layout.
 */
export function replayCommand(runId: string, finding: Pick<Finding, "id" | "evidence">): string {
  return (
    finding.evidence?.replay.command ?? `failclosed replay reports/${runId}/${findingFileName(finding.id)}`
  );
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

/** Findings carry the bytes fired, base64: far over a lane document's limits, still bounded. */
const MAX_FINDING_BYTES = 4 * 1024 * 1024;

/** A finding file read back strictly (R1-R7 scanner, then the report schema's finding). */
export async function readFindingFile(path: string): Promise<Finding> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read the finding`, { cause });
  }
  const scanned = scanJson(bytes, { maxDocumentBytes: MAX_FINDING_BYTES, maxStringChars: MAX_FINDING_BYTES });
  const valid = scanned.ok ? validateFinding(scanned.value) : undefined;
  if (valid === undefined || !valid.ok)
    throw new FailclosedError(
      "DOCUMENT_INVALID",
      `${path}: not a finding file${valid === undefined || valid.ok ? "" : ` (${valid.error})`}`,
    );
  return valid.value;
}

/** A finding's id is its family and the SHA-256 of its bytes: the engine's findingId. */
export function expectedFindingId(family: string, bytesB64: string): string {
  const digest = createHash("sha256").update(Buffer.from(bytesB64, "base64")).digest("hex");
  return `${family}-${digest.slice(0, 16)}`;
}

/**
 * Refuses a finding whose id does not match its family and bytes: someone edited it, and a replay
 * of edited bytes under the old id would report on a probe nobody found.
 */
export function assertFindingIntact(finding: Finding, path: string): void {
  const expected = expectedFindingId(finding.family, finding.bytesB64);
  if (finding.id !== expected) {
    throw new FailclosedError(
      "DOCUMENT_INVALID",
      `${path}: the finding's id ${finding.id} does not match its family and bytes (${expected}): it was edited; refused`,
    );
  }
}
