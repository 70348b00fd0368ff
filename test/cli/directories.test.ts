/**
 * The directory checks made before a command does any work: an output directory is usable when
 * it is a directory or can be made under one; an input directory must exist.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkInputDir, checkOutputDir, ensureOutputDir } from "../../src/kernel/directories.js";
import { checkSpec } from "../../src/fuzz/run/target-spec.js";

const checkTargetUrl = (url: string): void => checkSpec({ kind: "http", url, keyring: ["k.json"] });

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fc-directories-"));
  await writeFile(join(dir, "file"), "x");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("checkOutputDir", () => {
  it("accepts an existing directory and one that can be made, and creates nothing (must stay quiet)", async () => {
    await checkOutputDir(dir, "--report-dir");
    await checkOutputDir(join(dir, "a", "b", "c"), "--report-dir");
    await expect(stat(join(dir, "a"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a file, and a path under a file, naming the file (must fire)", async () => {
    await expect(checkOutputDir(join(dir, "file"), "--report-dir")).rejects.toMatchObject({
      code: "FILE_EXISTS",
      message: `--report-dir ${join(dir, "file")}: ${join(dir, "file")} is a file, not a directory`,
    });
    await expect(checkOutputDir(join(dir, "file", "x", "y"), "--report-dir")).rejects.toMatchObject({
      code: "FILE_EXISTS",
    });
  });

  it("ensureOutputDir makes the directory with its mode", async () => {
    await ensureOutputDir(join(dir, "keys", "inner"), "keys init", 0o700);
    expect((await stat(join(dir, "keys", "inner"))).mode & 0o777).toBe(0o700);
  });
});

describe("checkInputDir", () => {
  it("accepts a directory (must stay quiet)", async () => {
    await mkdir(join(dir, "corpus"));
    await checkInputDir(join(dir, "corpus"), "--corpus");
  });

  it("refuses a missing path and a file (must fire)", async () => {
    await expect(checkInputDir(join(dir, "nope"), "--corpus")).rejects.toMatchObject({
      code: "FILE_UNREADABLE",
      message: `--corpus ${join(dir, "nope")}: no such directory`,
    });
    await expect(checkInputDir(join(dir, "file"), "--corpus")).rejects.toMatchObject({
      code: "FILE_UNREADABLE",
      message: `--corpus ${join(dir, "file")}: not a directory`,
    });
  });
});

describe("checkSpec on an HTTP target URL", () => {
  it("accepts http:// URLs (must stay quiet)", () => {
    for (const url of ["http://127.0.0.1:8080", "http://gate.internal:80/base"]) checkTargetUrl(url);
  });

  it("refuses other schemes and non-URLs as USAGE (must fire)", () => {
    for (const url of ["ftp://127.0.0.1:21", "https://gate", "file:///etc/passwd", "127.0.0.1:8080", ""]) {
      let thrown: unknown;
      try {
        checkTargetUrl(url);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, url).toMatchObject({ code: "USAGE" });
    }
  });
});
