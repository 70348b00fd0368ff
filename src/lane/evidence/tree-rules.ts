/**
 * The rules an evidence tree must follow (SPEC E1, E4), shared by the disk walk and the in-memory
 * variant so that both refuse exactly the same trees with the same codes.
 */

/** Stable reason codes: scripts may match on them; messages may change. */
export const TREE_ERROR_CODES = [
  "tree_symlink",
  "tree_special_file",
  "tree_bad_name",
  "tree_empty_directory",
  "tree_not_directory",
  "tree_unreadable",
  "tree_too_deep",
  "tree_cycle",
] as const;

export type TreeErrorCode = (typeof TREE_ERROR_CODES)[number];

/**
 * `path` is relative to the tree's root, "/"-separated, "." for the root itself. Neither field
 * ever holds file contents or the absolute location of the tree.
 */
export interface TreeError {
  readonly code: TreeErrorCode;
  readonly path: string;
  readonly message: string;
}

export const ROOT_PATH = ".";

/**
 * Evidence is two levels deep; the cap exists so that a hostile tree (or an in-memory Map chain)
 * ends in a refusal instead of a stack overflow.
 */
export const MAX_TREE_DEPTH = 256;

/** NAME_MAX on common filesystems: a longer name could be hashed in memory but never written. */
export const MAX_NAME_LENGTH = 255;

const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * Names git gives meaning to. Git itself refuses ".git" in any case and with trailing dots
 * (core.protectNTFS); the other three would change what `git add` records (ignored files,
 * attribute filters, submodules), so git's id and ours could part ways: refuse them all.
 */
const RESERVED_NAMES = new Set([".git", ".gitattributes", ".gitignore", ".gitmodules"]);

export function treeError(code: TreeErrorCode, path: string, message: string): TreeError {
  return { code, path, message };
}

export function childPath(parent: string, name: string): string {
  return parent === ROOT_PATH ? name : `${parent}/${name}`;
}

/** A bad name may hold control characters or be huge; errors carry an escaped, bounded form. */
export function renderName(name: string): string {
  const shown = name.length > 64 ? `${name.slice(0, 64)}...` : name;
  return shown.replace(/[^A-Za-z0-9._-]/g, (c) => `\\u{${c.codePointAt(0)?.toString(16) ?? "?"}}`);
}

/** Why a name is refused, or undefined if it is allowed. */
export function nameProblem(name: string): string | undefined {
  if (name === "." || name === "..") return "the names . and .. are not entries";
  if (name.length > MAX_NAME_LENGTH) return `a name is at most ${MAX_NAME_LENGTH} characters`;
  if (!NAME_PATTERN.test(name)) return "a name uses only A-Z a-z 0-9 . _ -";
  if (RESERVED_NAMES.has(name.replace(/\.+$/, "").toLowerCase())) return "a name git reserves";
  return undefined;
}

/**
 * Checks one directory's entry names before anything is opened, in a fixed order so the error
 * reported for a tree with several problems does not depend on readdir's order.
 */
export function checkDirectoryNames(dirPath: string, names: readonly string[]): TreeError | undefined {
  if (names.length === 0) {
    return treeError("tree_empty_directory", dirPath, "git cannot record an empty directory");
  }
  const seen = new Set<string>();
  for (const name of [...names].sort()) {
    const problem = nameProblem(name);
    if (problem !== undefined)
      return treeError("tree_bad_name", childPath(dirPath, renderName(name)), problem);
    if (seen.has(name)) return treeError("tree_bad_name", childPath(dirPath, name), "a duplicate name");
    seen.add(name);
  }
  return undefined;
}
