/**
 * Where a command keeps its throwaway clones: the directory given, else a roomy tmpfs, else the
 * OS temporary directory; and the directories killed runs left behind are removed once their
 * owner is gone, never while it lives and never when nobody is named.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, statfs, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliInProcess as cli } from "../support/cli-in-process.js";
import { expectedFindingId } from "../../src/fuzz/report/finding-file.js";
import { makeScratchDir, removeAbandoned, scratchRoot } from "../../src/kernel/scratch-dir.js";
import { finding } from "../fuzz/report/fixtures.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fc-scratch-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has ended (a child we waited for), so it names nobody alive. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid ?? 0;
  await once(child, "exit");
  return pid;
}

async function leftover(name: string, owner: string | undefined): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, "clone"), { recursive: true });
  await writeFile(join(path, "clone", "PG_VERSION"), "15\n");
  if (owner !== undefined) await writeFile(join(path, ".failclosed-owner"), owner);
  return path;
}

describe("scratchRoot", () => {
  it("takes the directory given, making it when missing (must stay quiet)", async () => {
    const given = join(dir, "a", "scratch");
    expect(await scratchRoot(given)).toEqual({ path: given, source: "option" });
    expect((await stat(given)).isDirectory()).toBe(true);
  });

  it("refuses an empty name and a file, before anything is made (must fire)", async () => {
    await expect(scratchRoot("")).rejects.toMatchObject({ code: "USAGE" });
    await writeFile(join(dir, "file"), "x");
    await expect(scratchRoot(join(dir, "file"))).rejects.toMatchObject({ code: "FILE_EXISTS" });
    await expect(scratchRoot(join(dir, "file", "under"))).rejects.toMatchObject({ code: "FILE_EXISTS" });
  });

  it("falls back to the OS temporary directory when the memory root is no tmpfs, missing, or too full", async () => {
    // `dir` is on the temporary directory's file system; the fallback must not depend on which.
    const onDisk = (await statfs(dir)).type !== 0x01021994;
    if (onDisk)
      expect(await scratchRoot(undefined, { memoryRoot: dir })).toEqual({ path: tmpdir(), source: "tmpdir" });
    expect(await scratchRoot(undefined, { memoryRoot: join(dir, "missing") })).toEqual({
      path: tmpdir(),
      source: "tmpdir",
    });
    expect(
      await scratchRoot(undefined, { memoryRoot: "/dev/shm", minFreeBytes: Number.MAX_SAFE_INTEGER }),
    ).toEqual({
      path: tmpdir(),
      source: "tmpdir",
    });
  });

  it("chooses /dev/shm when it is a tmpfs with room (this machine's case, checked rather than assumed)", async () => {
    const shm = await statfs("/dev/shm").catch(() => undefined);
    const roomy = shm !== undefined && shm.type === 0x01021994 && shm.bavail * shm.bsize >= 1024 ** 3;
    expect(await scratchRoot(undefined)).toEqual(
      roomy ? { path: "/dev/shm", source: "memory" } : { path: tmpdir(), source: "tmpdir" },
    );
  });
});

describe("makeScratchDir and removeAbandoned", () => {
  it("makes a private directory naming its owner, and removes it whole", async () => {
    const scratch = await makeScratchDir({ path: dir, source: "option" }, "run");
    expect(scratch.path.startsWith(join(dir, "failclosed-run-"))).toBe(true);
    expect(await readFile(join(scratch.path, ".failclosed-owner"), "utf8")).toBe(`${process.pid}\n`);
    expect((await stat(scratch.path)).mode & 0o777).toBe(0o700);
    await writeFile(join(scratch.path, "data"), "x");
    await scratch.remove();
    await scratch.remove(); // twice is harmless
    expect(await readdir(dir)).toEqual([]);
  });

  it("removes a directory whose owner process is gone (must fire)", async () => {
    const abandoned = await leftover("failclosed-run-abc123", `${await deadPid()}\n`);
    expect(await removeAbandoned(dir)).toEqual([abandoned]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("keeps a live owner's, its own, an unnamed one's, a garbled owner's and another tool's (must stay quiet)", async () => {
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      await leftover("failclosed-run-live", `${sleeper.pid}\n`);
      await leftover("failclosed-run-self", `${process.pid}\n`);
      await leftover("failclosed-run-nobody", undefined);
      await leftover("failclosed-run-garbled", "12abc\n");
      await leftover("failclosed-run-zero", "0\n");
      await leftover("other-tool", `${await deadPid()}\n`);
      expect(await removeAbandoned(dir)).toEqual([]);
      expect((await readdir(dir)).sort()).toEqual([
        "failclosed-run-garbled",
        "failclosed-run-live",
        "failclosed-run-nobody",
        "failclosed-run-self",
        "failclosed-run-zero",
        "other-tool",
      ]);
    } finally {
      sleeper.kill();
    }
  });

  it("a new scratch directory first clears what a killed run left", async () => {
    await leftover("failclosed-replay-old", `${await deadPid()}\n`);
    const scratch = await makeScratchDir({ path: dir, source: "option" }, "run");
    expect(await readdir(dir)).toEqual([scratch.path.slice(dir.length + 1)]);
    await scratch.remove();
  });

  it("an unwritable root is FILE_UNWRITABLE, not an internal error (must fire)", async () => {
    await writeFile(join(dir, "file"), "x");
    await expect(makeScratchDir({ path: join(dir, "file"), source: "option" }, "run")).rejects.toMatchObject({
      code: "FILE_UNWRITABLE",
    });
  });
});

describe("--scratch-dir and FAILCLOSED_SCRATCH_DIR on the command line", () => {
  it("run: a --scratch-dir that is a file stops the run before its seed or any work (must fire)", async () => {
    await writeFile(join(dir, "file"), "x");
    const result = await cli(
      ["run", "--only", "P01", "--report-dir", join(dir, "out"), "--scratch-dir", join(dir, "file")],
      {
        FAILCLOSED_SCRATCH_DIR: dir, // the flag wins over the environment
      },
    );
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toMatch(/^failclosed: FILE_EXISTS: scratch directory /);
  });

  it("replay and calibrate: a --scratch-dir that is a file stops them before the target is asked or the seed printed (must fire)", async () => {
    await writeFile(join(dir, "file"), "x");
    const base = finding();
    const intact = { ...base, id: expectedFindingId(base.family, base.bytesB64) };
    await writeFile(join(dir, "finding.json"), JSON.stringify(intact));
    const replayed = await cli(["replay", join(dir, "finding.json"), "--scratch-dir", join(dir, "file")], {});
    const calibrated = await cli(
      [
        "calibrate",
        "--flaws",
        "p09-grants-read-by-position",
        "--out",
        join(dir, "c.json"),
        "--scratch-dir",
        join(dir, "file"),
      ],
      {},
    );
    for (const result of [replayed, calibrated]) {
      expect(result).toMatchObject({ code: 2, stdout: "" });
      expect(result.stderr).toMatch(/^failclosed: FILE_EXISTS: scratch directory /);
    }
    await expect(stat(join(dir, "c.json"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("run: FAILCLOSED_SCRATCH_DIR is read when the flag is absent, and an empty one is a usage error", async () => {
    await writeFile(join(dir, "file"), "x");
    const reportDir = join(dir, "out");
    const viaEnv = await cli(["run", "--only", "P01", "--report-dir", reportDir], {
      FAILCLOSED_SCRATCH_DIR: join(dir, "file"),
    });
    expect(viaEnv).toMatchObject({ code: 2, stdout: "" });
    expect(viaEnv.stderr).toMatch(/^failclosed: FILE_EXISTS: scratch directory /);
    const empty = await cli(["run", "--only", "P01", "--report-dir", reportDir], {
      FAILCLOSED_SCRATCH_DIR: "",
    });
    expect(empty).toMatchObject({ code: 2, stdout: "" });
    expect(empty.stderr).toMatch(/^failclosed: USAGE: the scratch directory is set but empty/);
    // Nothing was written: the checks come before the report directory is made.
    await expect(stat(reportDir)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("a run's reference lane lives under the scratch root", () => {
  it("works there while it runs, and leaves nothing behind", async () => {
    const { runFailclosed } = await import("../../src/fuzz/run/index.js");
    const root = join(dir, "scratch");
    const seen: string[][] = [];
    const result = await runFailclosed({
      only: ["C02"],
      runs: 1,
      seed: 5,
      scratchDir: root,
      reportDir: join(dir, "report"),
      historyDir: join(dir, "history"),
      reporters: [{ onProbe: async () => void seen.push(await readdir(root)) }],
    });
    expect(result.kind).toBe("report");
    expect(seen.length).toBeGreaterThan(0);
    const [names] = seen;
    expect(names).toHaveLength(1);
    expect(names?.[0]).toMatch(/^failclosed-run-/);
    expect(await readdir(root)).toEqual([]);
  }, 120_000);
});
