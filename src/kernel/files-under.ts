/**
 * Every regular file at `path` (the path itself when it is a file, or every file below it when it
 * is a directory), by path relative to `root`, with its bytes: what a component left on disk, for
 * the side channels the fuzzer scans. A path that does not exist holds nothing.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";

export async function filesUnder(path: string, root = path): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const found = await stat(path).catch(() => undefined);
  if (found === undefined) return files;
  if (found.isFile()) {
    files.set(relative(root, path), await readFile(path));
    return files;
  }
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    files.set(relative(root, file), await readFile(file));
  }
  return files;
}
