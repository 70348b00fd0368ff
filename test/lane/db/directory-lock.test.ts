/**
 * One writer per embedded ledger directory (issue #13). A lock is taken over only when its holder
 * is provably dead; everything else refuses with LEDGER_LOCKED naming the holder. Two real
 * processes on one directory are tested through the CLI in test/cli/serve-decide.test.ts.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isFailclosedError } from "../../../src/kernel/errors.js";
import { lockDirectory, lockPathFor, type LockHolder } from "../../../src/lane/db/directory-lock.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "fc-lock-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isFailclosedError(error) && error.code === "LEDGER_LOCKED") return error.message;
    throw error;
  }
  throw new Error("the lock was granted");
}

/** A process that has certainly exited, and what its lock would have said. */
async function deadProcess(): Promise<{ pid: number; start: string }> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  const pid = child.pid ?? 0;
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  return { pid, start };
}

async function bootId(): Promise<string> {
  return (await readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim();
}

async function plant(dir: string, holder: Partial<LockHolder>): Promise<void> {
  const full: LockHolder = {
    pid: process.pid,
    start: null,
    boot: await bootId(),
    host: hostname(),
    since: "2026-01-01T00:00:00Z",
    ...holder,
  };
  await writeFile(lockPathFor(dir), JSON.stringify(full));
}

describe("lockDirectory", () => {
  it("creates the parent (0700) and a lock file beside the directory, removed on release", async () => {
    const dir = join(root, "a", "b", "gate-db");
    const lock = await lockDirectory(dir);
    expect(lock.path).toBe(join(root, "a", "b", "gate-db.lock"));
    expect(JSON.parse(await readFile(lock.path, "utf8"))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    await lock.release();
    await expect(readFile(lock.path)).rejects.toMatchObject({ code: "ENOENT" });
    // Released: the next holder is welcome (must stay quiet).
    const again = await lockDirectory(dir);
    await again.release();
  });

  it("refuses a second holder while the first lives, also through another path to the same directory", async () => {
    const dir = join(root, "gate-db");
    const lock = await lockDirectory(dir);
    try {
      expect(await refusal(lockDirectory(dir))).toContain(`process ${process.pid}`);
      expect(await refusal(lockDirectory(join(root, ".", "x", "..", "gate-db")))).toContain(
        `process ${process.pid}`,
      );
    } finally {
      await lock.release();
    }
  });

  it("takes over a lock whose holder has exited", async () => {
    const dir = join(root, "gate-db");
    const dead = await deadProcess();
    await plant(dir, { pid: dead.pid, start: dead.start });
    const lock = await lockDirectory(dir);
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it("takes over a lock whose pid now belongs to another process (start time differs)", async () => {
    const dir = join(root, "gate-db");
    await plant(dir, { pid: process.pid, start: "1" });
    const lock = await lockDirectory(dir);
    await lock.release();
  });

  it("takes over a lock from an earlier boot of this machine", async () => {
    const dir = join(root, "gate-db");
    await plant(dir, { pid: process.pid, start: null, boot: "00000000-0000-0000-0000-000000000000" });
    const lock = await lockDirectory(dir);
    await lock.release();
  });

  it("never takes over a live holder, a holder on another host, one it cannot identify, or an unreadable lock", async () => {
    const dir = join(root, "gate-db");
    const ownStat = await readFile(`/proc/${process.pid}/stat`, "utf8");
    const ownStart = ownStat.slice(ownStat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
    const dead = await deadProcess();
    await plant(dir, { pid: process.pid, start: ownStart });
    expect(await refusal(lockDirectory(dir))).toContain(`process ${process.pid}`);
    await plant(dir, { pid: dead.pid, start: dead.start, host: `${hostname()}-elsewhere` });
    expect(await refusal(lockDirectory(dir))).toContain(`on ${hostname()}-elsewhere`);
    // A live pid without a start time: it might be the holder.
    await plant(dir, { pid: process.pid, start: null });
    await refusal(lockDirectory(dir));
    await writeFile(lockPathFor(dir), "not json");
    expect(await refusal(lockDirectory(dir))).toContain("cannot be read");
    // The refused attempts left the planted lock alone.
    expect(await readFile(lockPathFor(dir), "utf8")).toBe("not json");
  });

  it("lets exactly one of many concurrent takers through a dead holder's lock", async () => {
    const dir = join(root, "gate-db");
    const dead = await deadProcess();
    await plant(dir, { pid: dead.pid, start: dead.start });
    // Same process: every contender after the winner sees a live holder (this pid and its start).
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => lockDirectory(dir)));
    const won = outcomes.filter((o) => o.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === "rejected") expect(isFailclosedError(o.reason) && o.reason.code).toBe("LEDGER_LOCKED");
    }
    if (won[0]?.status === "fulfilled") await won[0].value.release();
  });
});
