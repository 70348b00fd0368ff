/**
 * `failclosed run | head -3`: the reader of stdout leaves before the run ends. The run must go on
 * to its report and its own exit code, with no EPIPE stack trace. The same run shows that a run
 * in a project folder reads the project's saved failures (./failclosed/corpus) by default.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliWithClosedReader, emptyFolder } from "./cli-process.js";

let folder: Awaited<ReturnType<typeof emptyFolder>>;
let result: Awaited<ReturnType<typeof cliWithClosedReader>>;

interface ReportFile {
  families: Array<{ family: string; status: { kind: string; why?: string } }>;
}

beforeAll(async () => {
  folder = await emptyFolder("fc-closed-stdout-");
  // A saved failure that is not a finding: the run must find it where the default says, and say so.
  const failures = join(folder.dir, "failclosed", "corpus", "C01", "failures");
  await mkdir(failures, { recursive: true });
  await writeFile(join(failures, "broken.json"), "{}");
  result = await cliWithClosedReader(
    folder.dir,
    ["run", "--seed", "7", "--only", "C01", "--runs", "1", "--report-dir", "out"],
    { stdout: true, stderr: false },
  );
}, 300_000);

afterAll(async () => {
  await folder.remove();
});

describe("a run whose stdout reader left at once", () => {
  it("is not killed: no EPIPE, no stack trace, and it exits with its own code", () => {
    expect(result.signal).toBeNull();
    expect(result.stderr).not.toMatch(/EPIPE|Unhandled 'error' event|^\s+at /m);
    // Its own code: the family cannot close on a broken saved failure, so inconclusive (2).
    expect(result.code).toBe(2);
    // The progress went on on stderr; the seed line is stdout's alone (one seed line, not two).
    expect(result.stderr).toMatch(/^run \S+-7: 1 families against reference/m);
    expect(result.stderr).not.toContain("seed 7");
  });

  it("still writes its report, which names the project corpus it read", async () => {
    const report = JSON.parse(await readFile(join(folder.dir, "out", "report.json"), "utf8")) as ReportFile;
    const c01 = report.families.find((f) => f.family === "C01");
    expect(c01?.status.kind).toBe("inconclusive");
    expect(c01?.status.why).toContain(
      join(folder.dir, "failclosed", "corpus", "C01", "failures", "broken.json"),
    );
  });
});
