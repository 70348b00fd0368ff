import { describe, expect, it } from "vitest";
import { renderHtml } from "../../../src/fuzz/report/index.js";
import { family, finding, report, withFamily } from "./fixtures.js";

const history = [
  report({
    runId: "run-1",
    startedAt: "2025-11-21T03:00:00Z",
    totals: { probes: 1, findings: 0, elapsedMs: 1, probesPerSecond: 900 },
  }),
  withFamily(
    report({
      runId: "run-2",
      startedAt: "2025-11-22T03:00:00Z",
      totals: { probes: 1, findings: 0, elapsedMs: 1, probesPerSecond: 1200 },
    }),
    family("P04", { status: { kind: "inconclusive", why: "cut off" } }),
  ),
  report({
    runId: "run-3",
    startedAt: "2025-11-23T03:00:00Z",
    totals: { probes: 1, findings: 0, elapsedMs: 1, probesPerSecond: 1500 },
  }),
];

describe("report.html", () => {
  it("is self-contained: no URL, script, external asset or import", () => {
    const nastyUrl = "https://evil.example/x.js";
    const r = withFamily(
      report({ target: "http://localhost:8080/decide" }),
      family("P02", {
        status: { kind: "finding" },
        findings: [
          finding({ reason: `<script src="${nastyUrl}"></script>`, description: `url(${nastyUrl})` }),
        ],
      }),
    );
    const page = renderHtml(r, history);
    expect(page).not.toMatch(/https?:\/\//i);
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
    expect(page).not.toMatch(/<[^>]*\s(src|href|action|srcset)=/i);
    const style = page.slice(page.indexOf("<style>"), page.indexOf("</style>"));
    expect(style).not.toMatch(/url\(|@import/i);
    expect(page).toContain("&lt;script src=&quot;https:&#47;&#47;evil.example&#47;x.js&quot;&gt;");
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(page).toContain("<style>");
  });

  it("shows the pass rate, each family's probes per second and the findings", () => {
    const r = withFamily(report(), family("P02", { status: { kind: "finding" }, findings: [finding()] }));
    const page = renderHtml(r, []);
    expect(page).toContain('<p class="banner fail">FAIL: pass rate 9/10</p>');
    expect(page).toContain('<td class="num">260</td>');
    expect(page).toContain('<div class="finding" id="P02-0123456789abcdef">');
    expect(page).toContain(
      "failclosed replay reports&#47;20251124T031500Z-a1b2c3&#47;findings&#47;P02-0123456789abcdef.json",
    );
  });

  it("draws the trend of pass rate and probes/s over 3 earlier runs plus this one", () => {
    const page = renderHtml(report(), history);
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page.match(/<rect class="bar/g)).toHaveLength(4);
    expect(page.match(/<circle class="dot/g)).toHaveLength(4);
    for (const id of ["run-1", "run-2", "run-3"]) expect(page).toContain(`<title>${id} (`);
    expect(page).toContain("run-2 (2025-11-22T03:00:00Z): 9/10</title>");
    expect(page).toContain("run-3 (2025-11-23T03:00:00Z): 1500 probes/s</title>");
    expect(page).toContain('class="bar full current"');
    expect(page).toContain("Trend over the last 4 run(s)");
    // Per family over those runs: P04 was closed in 3 of 4.
    expect(page).toMatch(/<td>P04<\/td>.*3\/4<\/td>/);
  });

  it("does not count this run twice when history already holds it", () => {
    const page = renderHtml(report(), [...history, report()]);
    expect(page.match(/<rect class="bar/g)).toHaveLength(4);
  });

  it("draws a lone point when there is no history", () => {
    const page = renderHtml(report(), []);
    expect(page.match(/<rect class="bar/g)).toHaveLength(1);
    expect(page).not.toContain("NaN");
  });
});
