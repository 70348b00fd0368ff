import { constants } from "node:fs";
import { chmod, copyFile, lstat, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { FailclosedError } from "./errors.js";

/**
 * Copies the directory tree `from` to `to`, which must not exist: directories with their modes,
 * regular files with theirs (copyFile keeps the mode; a copy-on-write clone where the file system
 * offers one), symbolic links as links. Anything else (a socket, a FIFO, a device) is refused, as
 * is a tree that changes kind while it is copied.
 *
 * Written by hand rather than `fs.cp`: fs.cp copies one file at a time and spent ~1.2 s on a
 * PGlite data directory (about 1,000 files, 40 MB), which every snapshot rehearsal copies twice;
 * the same copy with a bounded number of copyFile calls in flight takes ~0.17 s on this machine.
 */
export async function copyDirectory(from: string, to: string, inFlight = 16): Promise<void> {
  const root = await lstat(from);
  if (!root.isDirectory()) throw new FailclosedError("FILE_UNREADABLE", `${from}: not a directory`);
  // Parents as fs.cp makes them; the destination itself not recursively: an existing one is an
  // error (EEXIST), never merged into.
  await mkdir(dirname(to), { recursive: true });
  await mkdir(to, { mode: 0o700 });
  const tree: Tree = { dirs: [["", root.mode]], files: [], links: [] };
  await walk(from, to, "", tree);
  for (const link of tree.links) await symlink(await readlink(join(from, link)), join(to, link));
  let next = 0;
  const copier = async (): Promise<void> => {
    while (next < tree.files.length) {
      const path = tree.files[next++] as string;
      await copyFile(join(from, path), join(to, path), constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, copier));
  // Modes last, deepest first: a read-only directory in the source must still be filled in the
  // copy, and mkdir's own mode would be narrowed by the umask.
  for (const [path, mode] of [...tree.dirs].reverse()) await chmod(join(to, path), mode & 0o7777);
}

interface Tree {
  readonly dirs: Array<readonly [string, number]>;
  readonly files: string[];
  readonly links: string[];
}

/** Makes the directories (parents first) and lists what to copy, relative to the root. */
async function walk(from: string, to: string, relative: string, tree: Tree): Promise<void> {
  for (const entry of await readdir(join(from, relative), { withFileTypes: true })) {
    const path = join(relative, entry.name);
    if (entry.isFile()) tree.files.push(path);
    else if (entry.isSymbolicLink()) tree.links.push(path);
    else if (entry.isDirectory()) {
      const info = await lstat(join(from, path));
      if (!info.isDirectory())
        throw new FailclosedError("FILE_UNREADABLE", `${join(from, path)}: changed while it was copied`);
      await mkdir(join(to, path), { mode: 0o700 });
      tree.dirs.push([path, info.mode]);
      await walk(from, to, path, tree);
    } else throw new FailclosedError("FILE_UNREADABLE", `${join(from, path)}: not a file, directory or link`);
  }
}
