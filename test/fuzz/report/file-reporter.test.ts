import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CanaryInOutputError, fileReporter, readReport } from "../../../src/fuzz/report/index.js";
import { clean, family, finding, listFiles, report, runStart, tempDir, withFamily } from "./fixtures.js";

const ALL = ["junit.xml", "report.html", "report.json", "report.sarif", "summary.md"];
const found = finding();
const withFinding = withFamily(report(), family("P02", { status: { kind: "finding" }, findings: [found] }));

describe("fileReporter", () => {
  it("writes a finding as soon as it arrives, and everything at run-end", async () => {
    const dir = join(await tempDir(), "20251124T031500Z-a1b2c3");
    const reporter = fileReporter(dir, clean, []);
    await reporter.onRunStart?.(runStart());
    await reporter.onFinding?.({ type: "finding", finding: found });
    expect(await listFiles(dir)).toEqual([`findings/${found.id}.json`]);
    await reporter.onRunEnd?.({ type: "run-end", report: withFinding });
    expect(await listFiles(dir)).toEqual([`findings/${found.id}.json`, ...ALL]);
    expect(await readReport(join(dir, "report.json"))).toEqual(withFinding);
    expect(await readFile(join(dir, "summary.md"), "utf8")).toContain("**Pass rate: 9/10** (FAIL)");
  });

  it("writes a partial report after an interruption", async () => {
    const dir = await tempDir();
    const reporter = fileReporter(dir, clean, []);
    await reporter.onRunStart?.(runStart());
    await reporter.onFinding?.({ type: "finding", finding: found });
    await reporter.onInterrupted?.({ type: "interrupted", signal: "SIGTERM" });
    const partial = { ...withFinding, interrupted: true, families: withFinding.families.slice(0, 3) };
    await reporter.onRunEnd?.({ type: "run-end", report: partial });
    expect(await listFiles(dir)).toEqual([`findings/${found.id}.json`, ...ALL]);
    expect((await readReport(join(dir, "report.json"))).interrupted).toBe(true);
  });

  it("marks the report interrupted when run-end forgets to", async () => {
    const dir = await tempDir();
    const reporter = fileReporter(dir, clean, []);
    await reporter.onInterrupted?.({ type: "interrupted", signal: "SIGINT" });
    await reporter.onRunEnd?.({ type: "run-end", report: report() });
    expect((await readReport(join(dir, "report.json"))).interrupted).toBe(true);
    expect(await readFile(join(dir, "junit.xml"), "utf8")).toContain('<error type="interrupted"');
  });

  it("writes none of the run-end files when any of them holds a canary", async () => {
    const dir = await tempDir();
    // Only the HTML page holds this text: the scan must stop the other three as well.
    const scan = (text: string): string | undefined => (text.includes("<!DOCTYPE html>") ? "hex" : undefined);
    const reporter = fileReporter(dir, scan, []);
    await reporter.onFinding?.({ type: "finding", finding: found });
    const error = await Promise.resolve(reporter.onRunEnd?.({ type: "run-end", report: withFinding })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CanaryInOutputError);
    expect(error).toMatchObject({ file: "report.html", encoding: "hex" });
    // The finding written on arrival stays: it was clean when it was written.
    expect(await listFiles(dir)).toEqual([`findings/${found.id}.json`]);
  });

  it("refuses a finding holding a canary and writes nothing for it", async () => {
    const dir = await tempDir();
    const reporter = fileReporter(dir, (text) => (text.includes("LEAK") ? "raw" : undefined), []);
    const leaking = finding({ reason: "LEAK" });
    await expect(
      Promise.resolve(reporter.onFinding?.({ type: "finding", finding: leaking })),
    ).rejects.toMatchObject({
      code: "CANARY_IN_OUTPUT",
    });
    expect(await listFiles(dir)).toEqual([]);
  });

  it("draws the history it was given into the HTML trend", async () => {
    const dir = await tempDir();
    const history = [1, 2, 3].map((i) => report({ runId: `run-${i}`, startedAt: `2025-11-2${i}T03:00:00Z` }));
    await fileReporter(dir, clean, history).onRunEnd?.({ type: "run-end", report: report() });
    expect((await readFile(join(dir, "report.html"), "utf8")).match(/<rect class="bar/g)).toHaveLength(4);
  });
});
