/**
 * The tree id of a tree held in memory, so the rehearsal lane can know an evidence directory's id
 * before writing it. Same names, same refusals, same hashing as the disk walk.
 *
 * A directory is a Map (not a plain object: a dynamic name such as "__proto__" cannot turn into a
 * prototype, and a file record can never be mistaken for a directory holding a file "bytes").
 */
import { err, ok, type Result } from "../../kernel/result.js";
import { blobId, fileMode, treeObjectId, type EntryMode, type HashedEntry } from "./tree-hash.js";
import {
  MAX_TREE_DEPTH,
  ROOT_PATH,
  checkDirectoryNames,
  childPath,
  renderName,
  treeError,
  type TreeError,
} from "./tree-rules.js";

/** A file: its bytes, with the owner-execute bit off, or a record saying whether it is set. */
export type TreeFile = Uint8Array | { readonly bytes: Uint8Array; readonly executable?: boolean };

/** A directory: entry name to file or subdirectory. Must be a Map at run time. */
export type TreeEntries = ReadonlyMap<string, TreeNode>;

export type TreeNode = TreeFile | TreeEntries;

/** The run-time test the walk itself uses: `instanceof Map` does not narrow a ReadonlyMap. */
export function isTreeEntries(node: TreeNode): node is TreeEntries {
  return node instanceof Map;
}

type Walked = Result<{ readonly mode: EntryMode; readonly id: Buffer; readonly height: number }, TreeError>;

/** A hashed directory and how many directory levels lie below it, for the depth cap on reuse. */
interface Hashed {
  readonly id: Buffer;
  readonly height: number;
}

interface Walk {
  /** Directories being hashed on the current path: seeing one again is a cycle. */
  readonly open: Set<TreeEntries>;
  /** Subtrees already hashed: a Map shared many times is hashed once, so sharing cannot blow up. */
  readonly done: Map<TreeEntries, Hashed>;
}

export function hashEntriesInMemory(root: unknown): Result<Buffer, TreeError> {
  if (!(root instanceof Map)) return err(treeError("tree_not_directory", ROOT_PATH, "the root is not a Map"));
  const hashed = hashDirectory(root as TreeEntries, ROOT_PATH, 0, { open: new Set(), done: new Map() });
  return hashed.ok ? ok(hashed.value.id) : hashed;
}

function tooDeep(rel: string): TreeError {
  return treeError("tree_too_deep", rel, `directories nest at most ${MAX_TREE_DEPTH} deep`);
}

function hashDirectory(dir: TreeEntries, rel: string, depth: number, walk: Walk): Result<Hashed, TreeError> {
  if (depth > MAX_TREE_DEPTH) return err(tooDeep(rel));
  const cached = walk.done.get(dir);
  if (cached !== undefined) return depth + cached.height > MAX_TREE_DEPTH ? err(tooDeep(rel)) : ok(cached);
  if (walk.open.has(dir)) return err(treeError("tree_cycle", rel, "a directory contains itself"));
  walk.open.add(dir);
  const hashed = hashChildren(dir, rel, depth, walk);
  walk.open.delete(dir);
  if (hashed.ok) walk.done.set(dir, hashed.value);
  return hashed;
}

function hashChildren(dir: TreeEntries, rel: string, depth: number, walk: Walk): Result<Hashed, TreeError> {
  const names: string[] = [];
  for (const name of dir.keys() as Iterable<unknown>) {
    // Types say string; a JavaScript caller may still hand over anything.
    if (typeof name !== "string") {
      return err(treeError("tree_bad_name", childPath(rel, renderName(String(name))), "a name is a string"));
    }
    names.push(name);
  }
  const bad = checkDirectoryNames(rel, names);
  if (bad !== undefined) return err(bad);
  const entries: HashedEntry[] = [];
  let height = 0;
  for (const name of names.sort()) {
    const walked = hashNode(dir.get(name), childPath(rel, name), depth, walk);
    if (!walked.ok) return walked;
    entries.push({ name, mode: walked.value.mode, id: walked.value.id });
    height = Math.max(height, walked.value.height);
  }
  return ok({ id: treeObjectId(entries), height });
}

function hashNode(node: unknown, rel: string, parentDepth: number, walk: Walk): Walked {
  if (node instanceof Uint8Array) return ok({ mode: fileMode(false), id: blobId(node), height: 0 });
  if (node instanceof Map) {
    const hashed = hashDirectory(node as TreeEntries, rel, parentDepth + 1, walk);
    return hashed.ok ? ok({ mode: "40000", id: hashed.value.id, height: hashed.value.height + 1 }) : hashed;
  }
  if (isFileRecord(node)) {
    return ok({ mode: fileMode(node.executable === true), id: blobId(node.bytes), height: 0 });
  }
  return err(treeError("tree_special_file", rel, "neither bytes, a file record nor a Map"));
}

function isFileRecord(node: unknown): node is { readonly bytes: Uint8Array; readonly executable?: unknown } {
  return (
    typeof node === "object" && node !== null && (node as { bytes?: unknown }).bytes instanceof Uint8Array
  );
}
