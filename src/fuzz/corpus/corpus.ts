import { readdir, readFile } from "node:fs/promises";
import { writeAtomically } from "../report/atomic-write.js";
import { renderFinding } from "../report/finding-file.js";
import { join } from "node:path";
import { scanJson } from "../../lane/index.js";
import { FailclosedError } from "../../kernel/errors.js";
import { validateFinding } from "../report/schema.js";
import type { Finding, ProbeFamily } from "../types.js";
import { replayFinding, type ReplaySetup } from "../engine/replay.js";

/**
 * <root>/<family>/failures/*.json: findings saved to be replayed first by every run. The root is
 * always given: location.ts says which it is (the project's corpus by default, never the package).
 */
export function failuresDir(familyId: string, root: string): string {
  return join(root, familyId, "failures");
}

/** Reads and validates every saved failure of a family; a malformed file is an error, never skipped. */
export async function loadSavedFailures(familyId: string, root: string): Promise<Finding[]> {
  const dir = failuresDir(familyId, root);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
  } catch (cause) {
    // No failures directory: nothing saved yet. Any other error is not "nothing saved".
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new FailclosedError("FILE_UNREADABLE", `${dir}: cannot read the saved failures`, { cause });
  }
  const findings: Finding[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const scanned = scanJson(await readFile(path));
    const valid = scanned.ok ? validateFinding(scanned.value) : undefined;
    if (valid === undefined || !valid.ok) {
      throw new FailclosedError("DOCUMENT_INVALID", `${path}: not a valid saved finding`);
    }
    findings.push(valid.value);
  }
  return findings;
}

/**
 * Replays a family's saved failures before generation; those that still fail come back as
 * confirmed findings. An external target is replayed against as it is (its keyring is the user's).
 */
export async function replayCorpus(
  family: ProbeFamily,
  setup: ReplaySetup,
  root: string,
): Promise<Finding[]> {
  const still: Finding[] = [];
  for (const saved of await loadSavedFailures(family.id, root)) {
    const judgement = await replayFinding(saved, setup);
    if (judgement.kind === "fail")
      still.push({ ...saved, confirmation: "confirmed", reason: judgement.reason });
    if (judgement.kind === "error") {
      throw new FailclosedError(
        "INTERNAL",
        `saved failure ${saved.id} could not be replayed: ${judgement.detail}`,
      );
    }
  }
  return still;
}

export type SaveOutcome =
  | { readonly kind: "saved"; readonly path: string }
  /** The very same finding is already there: nothing written. */
  | { readonly kind: "already-saved"; readonly path: string };

/**
 * Saves a finding as <root>/<family>/failures/<id>.json, atomically (a run reading the corpus
 * sees the whole file or none), validated by the report schema on the way. A different file under
 * the same name is never overwritten: ids are content hashes, so that is someone's edited copy.
 */
export async function saveFailure(finding: Finding, root: string): Promise<SaveOutcome> {
  const { text } = renderFinding(finding);
  const name = `${finding.id}.json`;
  const dir = failuresDir(finding.family, root);
  const path = join(dir, name);
  let existing: string | undefined;
  try {
    existing = await readFile(path, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ENOENT")
      throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read the saved failure`, { cause });
  }
  if (existing === text) return { kind: "already-saved", path };
  if (existing !== undefined)
    throw new FailclosedError("FILE_EXISTS", `${path}: another file is saved under this finding's id`);
  await writeAtomically(dir, [{ name, text }]);
  return { kind: "saved", path };
}
