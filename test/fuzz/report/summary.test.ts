import { describe, expect, it } from "vitest";
import { renderSummaryMarkdown } from "../../../src/fuzz/report/index.js";
import { family, finding, report, withFamily } from "./fixtures.js";

describe("summary.md", () => {
  it("states the pass rate as N/10 and a table row per family", () => {
    const md = renderSummaryMarkdown(report());
    expect(md).toContain("**Pass rate: 10/10** (PASS)");
    expect(md).toContain("| id | name | role | runs/minRuns | status | findings | probes/s | first probe |");
    expect(md).toContain("| P01 | family-p01 | attack | 500/500 | closed | 0 | 260 | 1.5 s |");
    expect(md).toContain("| C-GATE | family-c-gate | control | 500/500 | closed | 0 | 260 | 1.5 s |");
    expect(md.match(/^\| (P|C-)/gm)).toHaveLength(11);
    expect(md).not.toContain("## Findings");
  });

  it("shows '-' for a family that fired no probe (no time to its first one)", () => {
    const { firstProbeMs: _unused, ...silent } = family("P03", { probes: 0, runs: 0 });
    const md = renderSummaryMarkdown(withFamily(report(), silent));
    expect(md).toMatch(
      /^\| P03 \| family-p03 \| attack \| 0\/500 \| \*\*too few runs\*\* \| 0 \| 0 \| - \|$/m,
    );
  });

  it("lists findings with their replay command and the gate's problems", () => {
    let r = withFamily(report(), family("P02", { status: { kind: "finding" }, findings: [finding()] }));
    r = withFamily(r, family("P09", { status: { kind: "inconclusive", why: "harness error" } }));
    const md = renderSummaryMarkdown(r);
    expect(md).toContain("**Pass rate: 8/10** (FAIL)");
    expect(md).toContain("| P02 | family-p02 | attack | 500/500 | **FINDING** | 1 | 260 | 1.5 s |");
    expect(md).toContain("**inconclusive**: harness error");
    expect(md).toContain("## Gate problems");
    expect(md).toContain("### P02-0123456789abcdef");
    expect(md).toContain(
      "- replay:\n\n```sh\nfailclosed replay reports/20251124T031500Z-a1b2c3/findings/P02-0123456789abcdef.json\n```",
    );
  });

  it("keeps target text from breaking the table or becoming HTML", () => {
    const reason = "a | b\nc <img src=x onerror=alert(1)> [link](javascript:x) `tick` \u001b[2J";
    const r = withFamily(report(), family("P03", { status: { kind: "inconclusive", why: reason } }));
    const md = renderSummaryMarkdown(r);
    const row = md.split("\n").find((line) => line.startsWith("| P03 "));
    expect(row).toContain(
      "a \\| b c \\<img src=x onerror=alert\\(1\\)\\> \\[link\\]\\(javascript:x\\) \\`tick\\` \\\\x1b\\[2J",
    );
    expect(md).not.toContain("\u001b");
    expect(md).not.toMatch(/(?<!\\)<img/);
  });
});
