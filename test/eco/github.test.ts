import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RELEASE_FAMILIES, evaluateGate, renderReportJson } from "../../src/fuzz/report/index.js";
import { escapeData, escapeProperty, workflowCommand } from "../../src/fuzz/report/github-command.js";
import { githubAnnotations, githubStepSummary } from "../../src/fuzz/report/github.js";
import { writeGithubOutputs } from "../../src/fuzz/report/github-actions.js";
import { family, finding, report, withFamily } from "../fuzz/report/fixtures.js";
import { cli } from "./cli.js";
import { sarifSchemaErrors } from "./sarif-schema.js";

/** The runner's unescaping (actions/runner, ActionCommand.UnescapeValue / UnescapeProperty). */
function unescape(text: string): string {
  return text
    .replace(/%0D/g, "\r")
    .replace(/%0A/g, "\n")
    .replace(/%3A/g, ":")
    .replace(/%2C/g, ",")
    .replace(/%25/g, "%");
}

const nasty = finding({
  reason: "crashed (100% of\nprobes::error title=x::forged, a:b)",
  description: "line one\r\nline two :: %0A",
  rule: "F4 (R3: duplicate member selected)",
  oracle: "structured",
});
const withFinding = withFamily(
  report(),
  family("P02", { name: "forged-seal", status: { kind: "finding" }, findings: [nasty] }),
);
const required = { families: RELEASE_FAMILIES };

describe("workflow-command escaping", () => {
  it("round-trips any text through the runner's unescaping, and no line break or separator survives", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(unescape(escapeData(text))).toBe(text);
        expect(unescape(escapeProperty(text))).toBe(text);
        expect(escapeData(text)).not.toMatch(/[\r\n]/);
        expect(escapeProperty(text)).not.toMatch(/[\r\n:,]/);
      }),
    );
  });

  it("an annotation is one line whose properties and message the runner reads back exactly", () => {
    const line = workflowCommand({
      level: "error",
      file: "probes/a,b.ts",
      line: 1,
      title: "t: x",
      message: "a\nb",
    });
    expect(line).toBe("::error file=probes/a%2Cb.ts,line=1,title=t%3A x::a%0Ab");
  });
});

describe("GitHub Actions output", () => {
  it("an ::error per finding with the family file, the seed and the replay command; the decision last", () => {
    const lines = githubAnnotations([withFinding], evaluateGate([withFinding], required));
    expect(lines).toHaveLength(2);
    const [error, decision] = lines;
    expect(error).toMatch(
      /^::error file=probes\/p02-forged-seal\.ts,line=1,title=failclosed P02 forged-seal%3A R3 not enforced::/,
    );
    expect(error?.split("\n")).toHaveLength(1);
    const message = unescape(error?.slice(error.indexOf("::", 2) + 2) ?? "");
    // Target text keeps its line breaks visible but inert: only failclosed's own lines break.
    expect(message).toContain("crashed (100% of\\x0aprobes::error title=x::forged, a:b)");
    expect(message).toContain("seed 1234567, path 3:0:1");
    expect(message).toContain(
      "replay: failclosed replay reports/20251124T031500Z-a1b2c3/findings/P02-0123456789abcdef.json",
    );
    expect(decision).toMatch(/^::error title=failclosed release gate::FAIL: pass rate 9\/10%0A/);
  });

  it("stays quiet about families that closed: a passing gate gives one notice", () => {
    const clean = report();
    expect(githubAnnotations([clean], evaluateGate([clean], required))).toEqual([
      "::notice title=failclosed release gate::PASS: pass rate 10/10",
    ]);
  });

  it("the step summary names the decision, every family, the problems and the findings, as inert Markdown", () => {
    const md = githubStepSummary([withFinding], evaluateGate([withFinding], required));
    expect(md.split("\n")[0]).toBe("## failclosed release gate: FAIL, pass rate 9/10");
    expect(md).toContain("| P02 | forged-seal | **finding** | 500/500 | 1 |");
    expect(md).toContain("| P01 | family-p01 | closed | 500/500 | 0 |");
    expect(md).toContain(
      "`failclosed replay reports/20251124T031500Z-a1b2c3/findings/P02-0123456789abcdef.json`",
    );
    expect(md).toContain("crashed \\(100% of probes::error title=x::forged, a:b\\)");
  });

  it("writes nothing outside GitHub Actions, and both outputs inside", async () => {
    const dir = await mkdtemp(join(tmpdir(), "failclosed-gh-"));
    const summary = join(dir, "summary.md");
    const result = evaluateGate([withFinding], required);
    const out: string[] = [];
    await writeGithubOutputs({ GITHUB_STEP_SUMMARY: summary }, [withFinding], result, (t) => out.push(t));
    await writeGithubOutputs(
      { GITHUB_ACTIONS: "false", GITHUB_STEP_SUMMARY: summary },
      [withFinding],
      result,
      (t) => out.push(t),
    );
    expect(out).toEqual([]);
    await expect(readFile(summary)).rejects.toThrow();
    await writeGithubOutputs(
      { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary },
      [withFinding],
      result,
      (t) => out.push(t),
    );
    expect(out.join("")).toContain("::error file=probes/p02-forged-seal.ts");
    expect(await readFile(summary, "utf8")).toContain("## failclosed release gate: FAIL");
  });

  it("through the command line: gate --sarif, with annotations and the job summary in GitHub Actions", async () => {
    const dir = await mkdtemp(join(tmpdir(), "failclosed-gh-cli-"));
    await mkdir(join(dir, "reports", "night"), { recursive: true });
    await writeFile(join(dir, "reports", "night", "report.json"), renderReportJson(withFinding));
    const summary = join(dir, "step-summary.md");
    const env = { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary };
    const gate = await cli(["gate", "reports/night", "--sarif", "failclosed.sarif"], { cwd: dir, env });
    expect(gate.code, gate.stderr).toBe(1);
    expect(gate.stdout).toContain("FAIL: pass rate 9/10");
    expect(gate.stdout).toContain(
      "::error file=probes/p02-forged-seal.ts,line=1,title=failclosed P02 forged-seal%3A R3 not enforced::",
    );
    expect(await readFile(summary, "utf8")).toContain("### Findings");
    const sarif = JSON.parse(await readFile(join(dir, "failclosed.sarif"), "utf8")) as unknown;
    expect(sarifSchemaErrors(sarif)).toEqual([]);

    const quiet = await cli(["gate", "reports/night"], { cwd: dir });
    expect(quiet.code).toBe(1);
    // Text from a target may hold "::" mid-line; the runner reads commands only at a line start.
    expect(quiet.stdout).not.toMatch(/^::/m);
  });
});

describe("the workflow users copy", () => {
  it("docs/operating.md shows examples/github/failclosed-nightly.yml as it is, with SARIF upload and the gate", async () => {
    const yml = await readFile("examples/github/failclosed-nightly.yml", "utf8");
    expect(await readFile("docs/operating.md", "utf8")).toContain(yml);
    expect(yml).toContain("npx failclosed gate reports/failclosed-shard-* --sarif failclosed.sarif");
    expect(yml).toContain("github/codeql-action/upload-sarif@v3");
    expect(yml).toContain("security-events: write");
    expect(yml).toMatch(/--shard \$\{\{ matrix\.shard \}\}\/4/);
  });
});
