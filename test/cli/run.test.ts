import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSeedCorpus } from "../../src/fuzz/engine/seed-corpus.js";
import { readReport } from "../../src/fuzz/report/index.js";
import { REFERENCE_RUN_FAMILIES } from "../support/families.js";

const run = promisify(execFile);
const CLI = resolve("dist/src/cli/main.js");

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      timeout: 240_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fc-run-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("failclosed run on the reference lane", () => {
  it("one shard of twenty: every family and control closed, exit 0, a valid report; the gate wants every shard", async () => {
    const reportDir = join(dir, "shard");
    const result = await cli([
      "run",
      "--seed",
      "3",
      "--shard",
      "1/20",
      "--budget",
      "200s",
      "--report-dir",
      reportDir,
    ]);
    expect(result.stdout.split("\n")[0]).toBe("seed 3 (replay this run with --seed 3)");
    expect(result.code).toBe(0);
    const report = await readReport(join(reportDir, "report.json"));
    expect(report.shard).toEqual({ index: 1, total: 20 });
    expect(report.canary).toBe("clean");
    expect(report.families.map((f) => f.family).sort()).toEqual(REFERENCE_RUN_FAMILIES);
    for (const family of report.families) {
      expect(family.status, family.family).toEqual({ kind: "closed" });
      expect(family.runs).toBeGreaterThanOrEqual(Math.ceil(family.minRuns / 20));
    }
    expect((await readdir(reportDir)).sort()).toEqual([
      "junit.xml",
      "report.html",
      "report.json",
      "report.sarif",
      "summary.md",
    ]);
    const gate = await cli(["gate", reportDir]);
    expect(gate.code).toBe(2);
    expect(gate.stdout).toMatch(/FAIL: pass rate \d+\/10: \d+ problem\(s\) above\s*$/);
    // The run's own closing verdict judged the shard's share, and says the release needs every shard.
    expect(result.stderr).toMatch(/^PASS: pass rate 10\/10$/m);
    expect(result.stderr).toContain("shard 1/20: the pass rate above judges this shard's share");
  }, 240_000);

  it("--corpus: seeds from the directory given, their digest in the report; a bad seed stops the run before any probe (exit 2)", async () => {
    const corpus = join(dir, "corpus");
    await mkdir(join(corpus, "P05", "seeds"), { recursive: true });
    await copyFile(
      resolve("corpora/P05/seeds/QT001-dryrun-only.packet.json"),
      join(corpus, "P05", "seeds", "only.packet.json"),
    );
    const reportDir = join(dir, "corpus-run");
    const good = await cli([
      "run",
      ...["--seed", "5", "--only", "P05,C01", "--runs", "60", "--corpus", corpus, "--report-dir", reportDir],
    ]);
    expect(good.code, good.stderr).toBe(2); // under each family's minimum runs: inconclusive, never passed
    const report = await readReport(join(reportDir, "report.json"));
    expect(report.versions.corpus).toBe((await loadSeedCorpus(corpus)).digest);
    expect(report.families.every((f) => f.findings.length === 0 && f.runs === 60)).toBe(true);

    await writeFile(join(corpus, "P05", "seeds", "bad.packet.json"), '{"kind":"decision-packet"}');
    const bad = await cli(["run", "--only", "P05", "--corpus", corpus, "--report-dir", join(dir, "never")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^failclosed: DOCUMENT_INVALID: .*bad\.packet\.json: not a valid decision packet/,
    );
    await expect(readdir(join(dir, "never"))).rejects.toThrow();
  });

  it("refuses an unknown family, listing the valid ones (exit 2)", async () => {
    const result = await cli(["run", "--only", "P99"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^failclosed: USAGE: unknown probe family P99; the families are C01, C02, D01, D02, P01/,
    );
  });

  it("refuses a malformed budget, shard or an external target without a keyring (exit 2)", async () => {
    expect((await cli(["run", "--budget", "fast"])).stderr).toMatch(/^failclosed: USAGE: --budget/);
    expect((await cli(["run", "--shard", "3/2"])).stderr).toMatch(/^failclosed: USAGE: --shard/);
    const external = await cli(["run", "--target", "http://127.0.0.1:9"]);
    expect(external.code).toBe(2);
    expect(external.stderr).toMatch(/needs --keyring/);
  });
});
