/**
 * Evidence tree ids (SPEC E1, E2, E4): the id of the git tree object for a directory, in SHA-256
 * object format, exactly as `git init --object-format=sha256 && git add -A && git write-tree`
 * gives it, for a directory that E1 allows. Anything E1 does not allow is refused with a stable
 * code, never hashed and never thrown.
 */
import { err, ok, type Result } from "../../kernel/result.js";
import { hashDirectoryOnDisk } from "./tree-disk.js";
import { hashEntriesInMemory, type TreeEntries } from "./tree-memory.js";
import { ROOT_PATH, treeError, type TreeError } from "./tree-rules.js";

export { isTreeEntries } from "./tree-memory.js";
export type { TreeEntries, TreeFile, TreeNode } from "./tree-memory.js";
export { MAX_NAME_LENGTH, MAX_TREE_DEPTH, TREE_ERROR_CODES } from "./tree-rules.js";
export type { TreeError, TreeErrorCode } from "./tree-rules.js";

/** 64 lowercase hex digits. */
export type TreeId = string;

export interface TreeIdMalformed {
  readonly code: "tree_id_malformed";
  readonly path: string;
  readonly message: string;
}

export interface TreeMismatch {
  readonly code: "tree_mismatch";
  readonly path: string;
  readonly message: string;
  readonly expected: TreeId;
  readonly actual: TreeId;
}

export type VerifyTreeError = TreeError | TreeIdMalformed | TreeMismatch;

const TREE_ID = /^[0-9a-f]{64}$/;

export function isTreeId(s: string): boolean {
  // Callers outside TypeScript may pass anything; a non-string is simply not an id.
  return typeof s === "string" && TREE_ID.test(s);
}

function toTreeId(raw: Result<Buffer, TreeError>): Result<TreeId, TreeError> {
  return raw.ok ? ok(raw.value.toString("hex")) : raw;
}

/** The tree id of the directory `dir`; links are refused, never followed. */
export async function computeTreeId(dir: string): Promise<Result<TreeId, TreeError>> {
  if (typeof dir !== "string")
    return err(treeError("tree_unreadable", ROOT_PATH, "the path is not a string"));
  return toTreeId(await hashDirectoryOnDisk(dir));
}

/** The tree id of an in-memory tree, under the same rules as a directory on disk. */
export function treeIdOfEntries(entries: TreeEntries): Result<TreeId, TreeError> {
  return toTreeId(hashEntriesInMemory(entries));
}

/** Recomputes `dir`'s tree id and checks it against `expected` (SPEC E4). */
export async function verifyTree(dir: string, expected: string): Promise<Result<TreeId, VerifyTreeError>> {
  if (!isTreeId(expected)) {
    return err({
      code: "tree_id_malformed",
      path: ROOT_PATH,
      message: "expected id is not 64 lowercase hex",
    });
  }
  const actual = await computeTreeId(dir);
  if (!actual.ok) return actual;
  if (actual.value !== expected) {
    return err({
      code: "tree_mismatch",
      path: ROOT_PATH,
      message: "the tree id differs from the expected one",
      expected,
      actual: actual.value,
    });
  }
  return actual;
}
