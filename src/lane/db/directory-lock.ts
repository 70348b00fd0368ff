import { randomBytes } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { link, mkdir, readFile, realpath, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { FailclosedError } from "../../kernel/errors.js";

/**
 * One writer per embedded database directory (issue #13): two processes on one PGlite directory
 * each keep their own copy and overwrite each other's files, so every grant becomes spendable once
 * per process. The lock is a file beside the directory (inside it, PGlite would no longer see an
 * empty directory to create a database in), held for the life of the process that opened it.
 *
 * Hand-written: Node has no flock, and the lock packages on npm (proper-lockfile and kin) decide
 * staleness by age, which would hand a live gate's ledger to a second process after a long pause.
 * Here a lock is stale only when its holder is provably dead: no process with its pid, or one
 * whose start time differs (the pid was reused), or a different boot of this machine. A lock from
 * another host, or from a holder we cannot prove dead, is never taken over.
 */
export interface LockHolder {
  readonly pid: number;
  /** Clock ticks since boot at which the holder started (/proc/PID/stat field 22); null off Linux. */
  readonly start: string | null;
  readonly boot: string | null;
  readonly host: string;
  /** When it took the lock, RFC 3339. */
  readonly since: string;
}

export interface DirectoryLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
}

export function lockPathFor(dataDir: string): string {
  return join(dirname(dataDir), `${basename(dataDir)}.lock`);
}

/** Takes the lock on dataDir (creating its parent, mode 0700), or throws LEDGER_LOCKED. */
export async function lockDirectory(dataDir: string): Promise<DirectoryLock> {
  const absolute = resolve(dataDir);
  await mkdir(dirname(absolute), { recursive: true, mode: 0o700 });
  // The same directory reached through a symlink or another relative path is the same lock.
  const canonical = join(await realpath(dirname(absolute)), basename(absolute));
  const path = lockPathFor(canonical);
  const me = await currentHolder();
  const body = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, body)) return held(path, me, body);
    const found = await readHolder(path);
    if (found === "gone") continue;
    if (found === "unreadable" || !(await provablyDead(found))) throw locked(canonical, path, found);
    await takeOver(path, found);
  }
  throw new FailclosedError("LEDGER_LOCKED", `could not take the lock ${path}: it keeps changing hands`);
}

function locked(dir: string, path: string, holder: LockHolder | "unreadable"): FailclosedError {
  const who =
    holder === "unreadable"
      ? "a holder whose lock file cannot be read"
      : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
  return new FailclosedError(
    "LEDGER_LOCKED",
    `the embedded ledger ${dir} is in use by ${who}; one process per ledger directory. ` +
      `Stop that process, or talk to it (failclosed serve) instead of opening the directory. ` +
      `If it is certainly gone, remove ${path}.`,
  );
}

/** Writes the whole file under a private name, then links it into place: atomic and complete. */
async function createExclusive(path: string, body: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}`;
  await writeFile(temporary, body, { mode: 0o600, flag: "wx" });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function readHolder(path: string): Promise<LockHolder | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "unreadable";
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof value.pid === "number" &&
      Number.isSafeInteger(value.pid) &&
      value.pid > 0 &&
      typeof value.host === "string" &&
      typeof value.since === "string" &&
      (typeof value.start === "string" || value.start === null) &&
      (typeof value.boot === "string" || value.boot === null)
    ) {
      return { pid: value.pid, start: value.start, boot: value.boot, host: value.host, since: value.since };
    }
  } catch {
    // fall through: a lock we cannot read is never taken over
  }
  return "unreadable";
}

/**
 * Removes a dead holder's lock under a second, exclusive "takeover" lock, re-reading it first:
 * two processes that both found the same dead holder must not remove each other's fresh lock.
 */
async function takeOver(path: string, dead: LockHolder): Promise<void> {
  const takeover = `${path}.takeover`;
  const me = await currentHolder();
  if (!(await createExclusive(takeover, `${JSON.stringify(me)}\n`))) {
    const other = await readHolder(takeover);
    // A taker that died mid-way leaves its takeover file; it is as stale as any lock.
    if (other !== "gone" && other !== "unreadable" && (await provablyDead(other))) {
      await unlink(takeover).catch(() => undefined);
    }
    return;
  }
  try {
    const again = await readHolder(path);
    if (again !== "gone" && again !== "unreadable" && sameHolder(again, dead)) {
      await unlink(path).catch(() => undefined);
    }
  } finally {
    await unlink(takeover).catch(() => undefined);
  }
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return (
    a.pid === b.pid && a.start === b.start && a.boot === b.boot && a.host === b.host && a.since === b.since
  );
}

function held(path: string, holder: LockHolder, body: string): DirectoryLock {
  let released = false;
  // A process that exits without closing (an uncaught error, process.exit) still frees its lock;
  // a crash (SIGKILL) leaves it behind for the next holder to prove stale.
  const onExit = (): void => {
    if (!released && ownsSync(path, body)) unlinkSync(path);
  };
  process.once("exit", onExit);
  return {
    path,
    holder,
    async release() {
      if (released) return;
      released = true;
      process.off("exit", onExit);
      if (ownsSync(path, body)) await unlink(path).catch(() => undefined);
    },
  };
}

function ownsSync(path: string, body: string): boolean {
  try {
    return readFileSync(path, "utf8") === body;
  } catch {
    return false;
  }
}

async function currentHolder(): Promise<LockHolder> {
  return {
    pid: process.pid,
    start: await processStart(process.pid),
    boot: await bootId(),
    host: hostname(),
    since: new Date().toISOString().replace(/\.[0-9]{3}Z$/, "Z"),
  };
}

/** Dead for certain: on this host, and no such process, or another boot, or another start time. */
export async function provablyDead(holder: LockHolder): Promise<boolean> {
  if (holder.host !== hostname()) return false;
  const boot = await bootId();
  if (holder.boot !== null && boot !== null && holder.boot !== boot) return true;
  if (!pidExists(holder.pid)) return true;
  if (holder.start === null) return false;
  const start = await processStart(holder.pid);
  return start !== null && start !== holder.start;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces and parentheses. */
async function processStart(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = fields[19];
    return start !== undefined && /^[0-9]+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

async function bootId(): Promise<string | null> {
  try {
    return (await readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim();
  } catch {
    return null;
  }
}
