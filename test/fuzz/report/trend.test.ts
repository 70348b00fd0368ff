/**
 * The trend compares runs against the same target only: a 10/10 on the reference lane says
 * nothing about a user's own gate, so those runs are never drawn on one chart.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderHtml } from "../../../src/fuzz/report/index.js";
import { TREND_RUNS, trendIdentity, trendRuns } from "../../../src/fuzz/report/trend.js";
import { report } from "./fixtures.js";

const day = (n: number): string =>
  new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 19) + "Z";

describe("the HTML trend", () => {
  it("leaves out earlier runs against another target (must fire)", () => {
    const current = report({ runId: "now", startedAt: day(10), target: "http:http://127.0.0.1:8080" });
    const history = [
      report({ runId: "ref-1", startedAt: day(1), target: "reference" }),
      report({ runId: "mine-1", startedAt: day(2), target: "http:http://127.0.0.1:8080" }),
      report({ runId: "ref-2", startedAt: day(3), target: "reference" }),
      report({ runId: "child-1", startedAt: day(4), target: "child:./my-gate --stdio" }),
    ];
    expect(trendRuns(current, history).map((r) => r.runId)).toEqual(["mine-1", "now"]);
    const page = renderHtml(current, history);
    expect(page.match(/<rect class="bar/g)).toHaveLength(2);
    expect(page).not.toContain("ref-1");
    expect(page).toContain("Trend over the last 2 run(s) against this target");
  });

  it("keeps every earlier run against the same target, oldest first (must stay quiet)", () => {
    const current = report({ runId: "now", startedAt: day(10), target: "reference" });
    const history = [3, 1, 2].map((n) =>
      report({ runId: `ref-${n}`, startedAt: day(n), target: "reference" }),
    );
    expect(trendRuns(current, history).map((r) => r.runId)).toEqual(["ref-1", "ref-2", "ref-3", "now"]);
  });

  it("for any mixed history: only this target's runs, all of them up to the chart's size", () => {
    const targets = ["reference", "http:http://127.0.0.1:8080", "child:gate --stdio"];
    fc.assert(
      fc.property(
        fc.constantFrom(...targets),
        fc.array(fc.tuple(fc.constantFrom(...targets), fc.integer({ min: 0, max: 9 })), { maxLength: 80 }),
        (target, past) => {
          const current = report({ runId: "now", startedAt: day(100), target });
          const history = past.map(([t, n], i) => report({ runId: `r${i}`, startedAt: day(n), target: t }));
          const runs = trendRuns(current, history);
          expect(runs.every((run) => trendIdentity(run) === target)).toBe(true);
          expect(runs[runs.length - 1]).toBe(current);
          const same = history.filter((run) => run.target === target).length;
          expect(runs).toHaveLength(Math.min(TREND_RUNS, same + 1));
        },
      ),
    );
  });
});
