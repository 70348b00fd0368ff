import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { FailclosedError } from "./errors.js";

/**
 * Checks on the directories a command reads from or writes into, made before any work starts:
 * a run that finds out at its end that it cannot write its report has lost the run. Node's
 * filesystem errors (EEXIST, ENOTDIR, EACCES) are turned into failclosed errors naming the flag,
 * so the user sees `failclosed: CODE: message` and exit 2, never an internal error.
 */

type Kind = "directory" | "other" | "missing";

async function kindOf(path: string): Promise<Kind> {
  try {
    return (await stat(path)).isDirectory() ? "directory" : "other";
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent is a file, so the path cannot exist; the walk up finds that file.
    if (code === "ENOENT" || code === "ENOTDIR") return "missing";
    throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot inspect (${code ?? "error"})`, { cause });
  }
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An input directory (`--corpus`, `--from DIR`): it must exist and be a directory. */
export async function checkInputDir(path: string, what: string): Promise<void> {
  switch (await kindOf(path)) {
    case "directory":
      return;
    case "other":
      throw new FailclosedError("FILE_UNREADABLE", `${what} ${path}: not a directory`);
    case "missing":
      throw new FailclosedError("FILE_UNREADABLE", `${what} ${path}: no such directory`);
  }
}

/**
 * A directory the command will write into, made or not: it is a directory we may write into, or
 * it can be made because its nearest existing ancestor is one. Nothing is created here.
 */
export async function checkOutputDir(path: string, what: string): Promise<void> {
  const full = resolve(path);
  let probe = full;
  for (;;) {
    const kind = await kindOf(probe);
    if (kind === "other")
      throw new FailclosedError("FILE_EXISTS", `${what} ${path}: ${probe} is a file, not a directory`);
    if (kind === "directory") {
      if (await writable(probe)) return;
      throw new FailclosedError("FILE_UNWRITABLE", `${what} ${path}: ${probe} is not writable`);
    }
    const parent = dirname(probe);
    // The root always exists; this only stops a loop on a broken filesystem.
    if (parent === probe) throw new FailclosedError("FILE_UNWRITABLE", `${what} ${path}: no existing parent`);
    probe = parent;
  }
}

/** checkOutputDir, then makes the directory and its missing parents with the given mode. */
export async function ensureOutputDir(path: string, what: string, mode = 0o755): Promise<void> {
  await checkOutputDir(path, what);
  try {
    await mkdir(path, { recursive: true, mode });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    throw new FailclosedError("FILE_UNWRITABLE", `${what} ${path}: cannot create (${code})`, { cause });
  }
}
