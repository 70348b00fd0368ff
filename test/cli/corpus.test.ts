/**
 * failclosed corpus add: a finding is validated, then saved atomically where every later run
 * replays it first; a bad finding saves nothing, and a different file under its id is kept.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliInProcess as cli } from "../support/cli-in-process.js";
import { failuresDir, loadSavedFailures } from "../../src/fuzz/corpus/corpus.js";
import { finding } from "../fuzz/report/fixtures.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fc-corpus-cli-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function findingFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("failclosed corpus add", () => {
  it("saves a finding where the next run replays it, and a second add changes nothing", async () => {
    const corpus = join(dir, "corpora");
    const path = await findingFile("f.json", finding());
    const first = await cli(["corpus", "add", path, "--corpus", corpus]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toContain(join(failuresDir("P02", corpus), "P02-0123456789abcdef.json"));
    expect(await loadSavedFailures("P02", corpus)).toEqual([finding()]);
    const again = await cli(["corpus", "add", path, "--corpus", corpus]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already saved: /);
    // Atomic writes leave no temporary file behind.
    expect(await readdir(failuresDir("P02", corpus))).toEqual(["P02-0123456789abcdef.json"]);
  });

  it("refuses a different file under the same id and keeps it (FILE_EXISTS, exit 2)", async () => {
    const corpus = join(dir, "corpora");
    await cli(["corpus", "add", await findingFile("f.json", finding()), "--corpus", corpus]);
    const saved = join(failuresDir("P02", corpus), "P02-0123456789abcdef.json");
    const before = await readFile(saved, "utf8");
    const edited = await findingFile("g.json", finding({ reason: "edited" }));
    const result = await cli(["corpus", "add", edited, "--corpus", corpus]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^failclosed: FILE_EXISTS: /);
    expect(await readFile(saved, "utf8")).toBe(before);
  });

  it("saves nothing when any finding is invalid or names no family here (exit 2)", async () => {
    const corpus = join(dir, "corpora");
    const good = await findingFile("good.json", finding());
    const cases: Array<readonly [string, unknown, RegExp]> = [
      ["not-json.json", "{", /DOCUMENT_INVALID: .*not a finding file/],
      ["schema.json", { ...finding(), bytesB64: 7 }, /DOCUMENT_INVALID: .*not a finding file/],
      ["family.json", finding({ family: "P99", id: "P99-0123456789abcdef" }), /no probe family P99/],
    ];
    for (const [name, content, why] of cases) {
      const result = await cli(["corpus", "add", good, await findingFile(name, content), "--corpus", corpus]);
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toMatch(why);
    }
    await expect(readdir(corpus)).rejects.toThrow();
    const missing = await cli(["corpus", "add", join(dir, "absent.json"), "--corpus", corpus]);
    expect(missing.stderr).toMatch(/^failclosed: FILE_UNREADABLE: /);
  });

  it("refuses other subcommands and a missing finding (USAGE, exit 2)", async () => {
    expect((await cli(["corpus", "remove", "x"])).stderr).toMatch(
      /^failclosed: USAGE: the corpus subcommand is add/,
    );
    expect((await cli(["corpus", "add"])).stderr).toMatch(/^failclosed: USAGE: corpus add needs/);
  });
});
