/**
 * Git object ids in SHA-256 object format, for blobs and trees. Hand-written on node:crypto
 * because no well-kept npm library computes SHA-256 git tree ids (isomorphic-git, the maintained
 * one, supports SHA-1 repositories only at the time of writing), and the format is small enough
 * to pin down with git itself as the test oracle.
 */
import { createHash, type Hash } from "node:crypto";

/** Git's own mode strings, exactly as they appear in a tree object. */
export type EntryMode = "100644" | "100755" | "40000";

export interface HashedEntry {
  readonly name: string;
  readonly mode: EntryMode;
  /** The raw 32-byte object id. */
  readonly id: Buffer;
}

/** Git keeps only the owner-execute bit of a file's permissions (core.filemode). */
export function fileMode(executable: boolean): EntryMode {
  return executable ? "100755" : "100644";
}

export function newBlobHash(size: number): Hash {
  return createHash("sha256").update(`blob ${size}\0`, "latin1");
}

export function blobId(bytes: Uint8Array): Buffer {
  return newBlobHash(bytes.byteLength).update(bytes).digest();
}

/**
 * Git sorts a directory as if its name ended with "/", so "a.b" < dir "a" < "a0". Names reach
 * here already checked to be ASCII, where comparing UTF-16 code units is comparing bytes.
 */
function sortKey(entry: HashedEntry): string {
  return entry.mode === "40000" ? `${entry.name}/` : entry.name;
}

function compareGitOrder(a: HashedEntry, b: HashedEntry): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The tree object's id: "tree <size>\0" then "<mode> <name>\0<raw id>" per entry, in git order. */
export function treeObjectId(entries: readonly HashedEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of [...entries].sort(compareGitOrder)) {
    parts.push(Buffer.from(`${entry.mode} ${entry.name}\0`, "latin1"), entry.id);
  }
  const size = parts.reduce((sum, part) => sum + part.length, 0);
  const hash = createHash("sha256").update(`tree ${size}\0`, "latin1");
  for (const part of parts) hash.update(part);
  return hash.digest();
}
