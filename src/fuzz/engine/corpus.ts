import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { scanJson } from "../../lane/codec/scanner.js";
import { FailclosedError } from "../../lane/errors.js";
import { CORPORA_DIR } from "../../lane/paths.js";
import { validateFinding } from "../report/schema.js";
import type { Finding, ProbeFamily } from "../types.js";
import { replayFinding, type ReplaySetup } from "./replay.js";

/** corpora/<family>/failures/*.json: findings saved to be replayed first by every run. */
export function failuresDir(familyId: string, root = CORPORA_DIR): string {
  return join(root, familyId, "failures");
}

/** Reads and validates every saved failure of a family; a malformed file is an error, never skipped. */
export async function loadSavedFailures(familyId: string, root = CORPORA_DIR): Promise<Finding[]> {
  const dir = failuresDir(familyId, root);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return [];
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
  root = CORPORA_DIR,
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
