import { mkdtemp, readFile, readdir, rm, statfs, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { checkOutputDir, ensureOutputDir } from "./directories.js";
import { FailclosedError } from "./errors.js";

/**
 * Where a command keeps what it throws away at its end: the reference lane's clone, its snapshots
 * and evidence, the gate's ledger, P07's clone variants. A default run creates and deletes tens of
 * thousands of files there (every snapshot rehearsal copies a PGlite data directory of about
 * 1,000 files twice). On ext4 that churn cost more system time than the whole run's user time
 * (docs/performance.md), so a RAM-backed file system is chosen when the machine has one with room.
 */
export type ScratchSource = "option" | "memory" | "tmpdir";

export interface ScratchRoot {
  readonly path: string;
  readonly source: ScratchSource;
}

/** The environment variable the command line reads when --scratch-dir is not given. */
export const SCRATCH_ENV = "FAILCLOSED_SCRATCH_DIR";

/** Linux's shared-memory file system; a tmpfs on every mainstream distribution. */
const MEMORY_ROOT = "/dev/shm";
const TMPFS_MAGIC = 0x01021994;
/**
 * A default run's scratch peaks near 170 MB; Docker's default /dev/shm is 64 MB. Below this much
 * free space the disk is used instead: running out of space mid-run would make families
 * inconclusive for a reason that has nothing to do with the target.
 */
export const MEMORY_MIN_FREE_BYTES = 1024 ** 3;

export interface ScratchProbe {
  /** The RAM-backed root to consider (tests point this elsewhere). */
  readonly memoryRoot?: string;
  readonly minFreeBytes?: number;
}

/**
 * The scratch root: the one given (a directory we may write into, made if missing),
 * else a tmpfs /dev/shm with at least MEMORY_MIN_FREE_BYTES free, else the OS temporary directory.
 */
export async function scratchRoot(given: string | undefined, probe: ScratchProbe = {}): Promise<ScratchRoot> {
  if (given !== undefined) {
    if (given === "")
      throw new FailclosedError(
        "USAGE",
        `the scratch directory is set but empty (--scratch-dir or ${SCRATCH_ENV})`,
      );
    // Made when missing, as --report-dir is: the user named it, so it is theirs to keep.
    await ensureOutputDir(given, "scratch directory", 0o700);
    return { path: resolve(given), source: "option" };
  }
  const memory = probe.memoryRoot ?? MEMORY_ROOT;
  if (await roomyTmpfs(memory, probe.minFreeBytes ?? MEMORY_MIN_FREE_BYTES))
    return { path: memory, source: "memory" };
  return { path: tmpdir(), source: "tmpdir" };
}

async function roomyTmpfs(path: string, minFree: number): Promise<boolean> {
  try {
    const fs = await statfs(path);
    if (fs.type !== TMPFS_MAGIC || fs.bavail * fs.bsize < minFree) return false;
    await checkOutputDir(path, "scratch directory");
    return true;
  } catch {
    // Missing (macOS, Windows), unreadable or not writable: the disk it is.
    return false;
  }
}

/** The file naming the process that owns a scratch directory, so a later run can tell it is abandoned. */
const OWNER_FILE = ".failclosed-owner";

export interface ScratchDir {
  readonly path: string;
  /** Removes the directory and everything in it; never throws. */
  remove(): Promise<void>;
}

/**
 * A new directory `<root>/failclosed-<purpose>-XXXXXX`, owned by this process. Directories that
 * earlier failclosed processes left there when they were killed (their owner is gone) are removed
 * first: on a RAM-backed root they would hold memory until the machine restarts.
 */
export async function makeScratchDir(root: ScratchRoot, purpose: string): Promise<ScratchDir> {
  await removeAbandoned(root.path);
  let path: string;
  try {
    path = await mkdtemp(join(root.path, `failclosed-${purpose}-`));
    await writeFile(join(path, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    throw new FailclosedError(
      "FILE_UNWRITABLE",
      `scratch directory ${root.path}: cannot create a directory (${code})`,
      {
        cause,
      },
    );
  }
  return { path, remove: () => rm(path, { recursive: true, force: true }).catch(() => undefined) };
}

/** True when the process is gone; a process of another user (EPERM) is alive. */
function ownerGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Removes `failclosed-*` directories whose owner file names a process that no longer exists.
 * A directory without a readable owner file is never touched: it may be another tool's, or ours
 * in the instant between mkdtemp and writing the file.
 */
export async function removeAbandoned(root: string): Promise<readonly string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names.filter((n) => n.startsWith("failclosed-"))) {
    const dir = join(root, name);
    const owner = await readFile(join(dir, OWNER_FILE), "utf8").catch(() => undefined);
    const pid = owner === undefined ? Number.NaN : Number(owner.trim());
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || !ownerGone(pid)) continue;
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    removed.push(dir);
  }
  return removed;
}
