import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CanaryInOutputError,
  readReport,
  writeFinding,
  writeHtml,
  writeJunit,
  writeReportJson,
  writeSummaryMarkdown,
} from "../../../src/fuzz/report/index.js";
import type { Report } from "../../../src/fuzz/report-types.js";
import type { CanaryScan } from "../../../src/fuzz/report/index.js";
import { clean, family, finding, hit, listFiles, report, tempDir, withFamily } from "./fixtures.js";

const withFinding = withFamily(
  report(),
  family("P02", { status: { kind: "finding" }, findings: [finding()] }),
);

const writers: ReadonlyArray<
  [string, string, (dir: string, report: Report, scan: CanaryScan) => Promise<void>]
> = [
  ["writeReportJson", "report.json", writeReportJson],
  ["writeJunit", "junit.xml", writeJunit],
  ["writeSummaryMarkdown", "summary.md", writeSummaryMarkdown],
  ["writeHtml", "report.html", (dir, r, scan) => writeHtml(dir, r, [], scan)],
  [
    "writeFinding",
    "findings/P02-0123456789abcdef.json",
    (dir, _r, scan) => writeFinding(dir, finding(), scan),
  ],
];

describe.each(writers)("%s", (_name, file, write) => {
  it(`writes ${file}, creating the directory, and leaves no temporary file`, async () => {
    const dir = join(await tempDir(), "reports", "run-1");
    await write(dir, withFinding, clean);
    expect(await listFiles(dir)).toEqual([file]);
    expect((await readFile(join(dir, file), "utf8")).length).toBeGreaterThan(100);
  });

  it("scans the full content first and writes nothing on a hit", async () => {
    const dir = await tempDir();
    const seen: string[] = [];
    const scan = (text: string): string | undefined => {
      seen.push(text);
      return hit();
    };
    const error = await write(dir, withFinding, scan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanaryInOutputError);
    expect(error).toMatchObject({ code: "CANARY_IN_OUTPUT", encoding: "base64", file });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain("P02-0123456789abcdef");
    expect(await listFiles(dir)).toEqual([]);
  });

  it("replaces an existing file whole", async () => {
    const dir = await tempDir();
    await write(dir, withFinding, clean);
    await write(dir, withFinding, clean);
    expect(await listFiles(dir)).toEqual([file]);
  });
});

describe("report.json and findings/<id>.json", () => {
  it("report.json reads back to the exact report", async () => {
    const dir = await tempDir();
    await writeReportJson(dir, withFinding, clean);
    expect(await readReport(join(dir, "report.json"))).toEqual(withFinding);
  });

  it("a finding file holds the exact Finding", async () => {
    const dir = await tempDir();
    const saved = finding({ path: undefined, reason: "nasty <&> \u0000 😀" });
    await writeFinding(dir, saved, clean);
    expect(JSON.parse(await readFile(join(dir, "findings", `${saved.id}.json`), "utf8"))).toEqual(saved);
  });

  it("refuses to write a report its own schema rejects, with INTERNAL", async () => {
    const dir = await tempDir();
    const bad = { ...report(), extra: true } as Report;
    await expect(writeReportJson(dir, bad, clean)).rejects.toMatchObject({ code: "INTERNAL" });
    expect(await listFiles(dir)).toEqual([]);
  });

  it("refuses a finding id that would leave findings/", async () => {
    const dir = await tempDir();
    await expect(
      writeFinding(join(dir, "run"), finding({ id: "../../escape" }), clean),
    ).rejects.toMatchObject({
      code: "INTERNAL",
    });
    expect(await listFiles(dir)).toEqual([]);
  });

  it("the error names the file and encoding, never the scanned text", async () => {
    const error = await writeFinding(await tempDir(), finding({ reason: "SECRET-CANARY" }), hit).catch(
      (e: unknown) => e,
    );
    expect(String((error as Error).message)).not.toContain("SECRET-CANARY");
    expect((error as Error).message).toContain("findings/P02-0123456789abcdef.json");
  });
});
