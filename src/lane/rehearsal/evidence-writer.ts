import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { computeTreeId, treeIdOfEntries, type TreeEntries } from "../evidence/tree.js";
import { FailclosedError } from "../../kernel/errors.js";
import type { DatabaseDigest } from "./digest/types.js";

export interface EvidenceContent {
  /** result.json: the rehearsal's claims and verdict, as the lane wrote them. */
  readonly result: Readonly<Record<string, unknown>>;
  /** migration.sql: the exact bytes rehearsed. */
  readonly migration: Uint8Array;
  readonly digests: {
    readonly before?: DatabaseDigest;
    readonly after_apply?: DatabaseDigest;
    readonly after_rollback?: DatabaseDigest;
  };
}

export interface WrittenEvidence {
  readonly dir: string;
  readonly tree: string;
}

function json(value: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8");
}

/** E1: result, migration bytes and per-relation (per-section) digests, as a tree of regular files. */
function evidenceTree(content: EvidenceContent): TreeEntries {
  const digests = new Map<string, Uint8Array>();
  for (const [name, digest] of Object.entries(content.digests)) {
    if (digest !== undefined) digests.set(`${name}.json`, json(digest));
  }
  const root = new Map<string, Uint8Array | TreeEntries>([
    ["result.json", json(content.result)],
    ["migration.sql", content.migration],
  ]);
  if (digests.size > 0) root.set("digests", digests);
  return root;
}

async function writeTree(dir: string, tree: TreeEntries): Promise<void> {
  await mkdir(dir, { mode: 0o755 });
  for (const [name, node] of tree) {
    const path = join(dir, name);
    if (node instanceof Map) await writeTree(path, node);
    // Mode 0644 explicitly: the executable bit is part of the tree id (E2).
    else await writeFile(path, node as Uint8Array, { mode: 0o644, flag: "wx" });
  }
}

/**
 * Writes an evidence directory atomically (a temporary name, then a rename) and returns its tree
 * id, which is computed in memory and then recomputed from the disk: the two must agree.
 */
export async function writeEvidence(
  parent: string,
  name: string,
  content: EvidenceContent,
): Promise<WrittenEvidence> {
  const tree = evidenceTree(content);
  const expected = treeIdOfEntries(tree);
  if (!expected.ok)
    throw new FailclosedError("TREE_INVALID", `evidence tree refused: ${expected.error.code}`);
  await mkdir(parent, { recursive: true });
  const dir = join(parent, name);
  const staging = join(dirname(dir), `.staging-${name}-${randomBytes(4).toString("hex")}`);
  try {
    await writeTree(staging, tree);
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw new FailclosedError("FILE_UNREADABLE", `cannot write the evidence directory ${dir}`, {
      cause: error,
    });
  }
  const onDisk = await computeTreeId(dir);
  if (!onDisk.ok || onDisk.value !== expected.value) {
    throw new FailclosedError("TREE_INVALID", `evidence directory ${dir} does not hash to what was written`);
  }
  return { dir, tree: expected.value };
}
