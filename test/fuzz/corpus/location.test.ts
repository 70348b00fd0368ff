/**
 * Where the corpus is: with --corpus, that directory for seeds and saved failures; without, the
 * shipped seeds from the package and saved failures in the project's failclosed/corpus. Saved
 * failures are never read from or written to the package by default.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSavedFailures } from "../../../src/fuzz/corpus/corpus.js";
import { corpusLocation, PROJECT_CORPUS_DIR } from "../../../src/fuzz/corpus/location.js";
import { CORPORA_DIR, PACKAGE_ROOT } from "../../../src/kernel/paths.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fc-corpus-location-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("corpusLocation", () => {
  it("defaults: seeds from the package, saved failures in the project", () => {
    const location = corpusLocation(undefined, "/work/project");
    expect(location).toEqual({
      seeds: CORPORA_DIR,
      failures: resolve("/work/project", PROJECT_CORPUS_DIR),
      explicit: false,
    });
  });

  it("for any working directory, default saved failures are under it and never in the package", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { maxLength: 4 }), (parts) => {
        const cwd = resolve("/", "home", ...parts);
        const { failures } = corpusLocation(undefined, cwd);
        expect(failures.startsWith(`${cwd}/`)).toBe(true);
        expect(failures.startsWith(PACKAGE_ROOT)).toBe(false);
      }),
    );
  });

  it("--corpus names the whole corpus, relative to the working directory", () => {
    expect(corpusLocation("team/corpus", "/work/project")).toEqual({
      seeds: "/work/project/team/corpus",
      failures: "/work/project/team/corpus",
      explicit: true,
    });
    expect(corpusLocation("/abs/corpus", "/work/project").seeds).toBe("/abs/corpus");
  });
});

describe("loadSavedFailures", () => {
  it("a corpus without a failures directory has none saved (must stay quiet)", async () => {
    expect(await loadSavedFailures("P01", dir)).toEqual([]);
  });

  it("a failures path it cannot list is an error, not 'nothing saved' (must fire)", async () => {
    await mkdir(join(dir, "P01"), { recursive: true });
    await writeFile(join(dir, "P01", "failures"), "a file where a directory belongs");
    await expect(loadSavedFailures("P01", dir)).rejects.toMatchObject({ code: "FILE_UNREADABLE" });
  });
});
