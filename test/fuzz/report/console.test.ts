import { describe, expect, it } from "vitest";
import type { Reporter } from "../../../src/fuzz/events.js";
import { consoleReporter } from "../../../src/fuzz/report/index.js";
import { family, finding, report, runStart } from "./fixtures.js";

/** A stream that records writes, and a clock the test moves. */
function harness(isTTY: boolean, extra: { scan?: (text: string) => string | undefined } = {}) {
  const writes: string[] = [];
  let time = 1_000_000;
  const reporter = consoleReporter({
    stream: { write: (text: string) => writes.push(text), columns: 200 },
    isTTY,
    // Colour has its own test (console-colour.test.ts); these read the text.
    colour: false,
    now: () => time,
    ...extra,
  });
  return {
    reporter,
    writes,
    text: () => writes.join(""),
    advance: (ms: number) => {
      time += ms;
    },
  };
}

/** Replays cursor-up and clear-below over lines, as a terminal would, and returns the screen. */
function screen(output: string): string[] {
  const lines: string[] = [""];
  let row = 0;
  for (let i = 0; i < output.length; i++) {
    // eslint-disable-next-line no-control-regex -- terminal escapes are what this emulates.
    const escape = /^\u001b\[(\d*)([AJ])/.exec(output.slice(i));
    if (escape !== null) {
      if (escape[2] === "A") row -= Number(escape[1]);
      else lines.length = row + 1;
      lines[row] = "";
      i += escape[0].length - 1;
    } else if (output[i] === "\n") {
      row++;
      lines[row] ??= "";
    } else lines[row] += output[i] ?? "";
  }
  return lines.filter((line, index) => line !== "" || index < lines.length - 1);
}

async function drive(h: ReturnType<typeof harness>, r: Reporter): Promise<void> {
  await r.onRunStart?.(runStart());
  await r.onFamilyStart?.({ type: "family-start", family: "P01", seed: 7, minRuns: 500 });
  for (let runs = 1; runs <= 400; runs++) {
    h.advance(50);
    await r.onProbe?.({ type: "probe", family: "P01", runs, outcome: "responded", elapsedMs: 1 });
  }
  await r.onFinding?.({
    type: "finding",
    finding: finding({ family: "P01", id: "P01-abc", reason: "ALLOW\u001b[2J\nforged" }),
  });
  await r.onFamilyEnd?.({
    type: "family-end",
    result: family("P01", { status: { kind: "finding" }, findings: [finding()] }),
  });
  await r.onRunEnd?.({ type: "run-end", report: report() });
}

describe("console reporter on a TTY", () => {
  it("prints the seed first, then redraws a live status in place", async () => {
    const h = harness(true);
    await drive(h, h.reporter);
    expect(h.writes[0]).toBe("seed 123456 (replay with --seed 123456)\n");
    // eslint-disable-next-line no-control-regex -- the redraw's escapes are what is checked.
    expect(h.text()).toMatch(/\u001b\[\d+A\u001b\[J/);
    const final = screen(h.text());
    expect(final[0]).toBe("seed 123456 (replay with --seed 123456)");
    expect(final[1]).toBe("run 20251124T031500Z-a1b2c3: 2 families against in-process, budget 1 m 00 s");
    expect(final[2]).toMatch(
      /^FINDING P01 P01-abc \(confirmed\).*ALLOW\\x1b\[2J\\x0aforged; replay: failclosed replay reports\/20251124T031500Z-a1b2c3\/findings\/P01-abc.json$/,
    );
    // The live block appears once on the final screen, not once per redraw.
    expect(final.filter((line) => line.includes("families done"))).toHaveLength(1);
    expect(
      final.some((line) =>
        /^ {2}P01 family-p01: FINDING, 500\/500 runs, \d+ probes\/s, 1 finding\(s\), 20\.0 s, first probe at 1\.5 s$/.test(
          line,
        ),
      ),
    ).toBe(true);
    expect(final.some((line) => line === "  C-GATE (control): waiting")).toBe(true);
    expect(final[final.length - 1]).toBe("PASS: pass rate 10/10");
    expect(h.text()).not.toContain("\u001b[2J");
  });

  it("shows runs, rate and time left while running, throttled to the interval", async () => {
    const h = harness(true);
    const r = h.reporter;
    await r.onRunStart?.(runStart());
    await r.onFamilyStart?.({ type: "family-start", family: "P01", seed: 7, minRuns: 500 });
    const before = h.writes.length;
    h.advance(100);
    await r.onProbe?.({ type: "probe", family: "P01", runs: 1, outcome: "responded", elapsedMs: 1 });
    expect(h.writes.length).toBe(before);
    h.advance(1900);
    await r.onProbe?.({ type: "probe", family: "P01", runs: 2, outcome: "responded", elapsedMs: 1 });
    const live = screen(h.text());
    expect(live).toContain("  P01: running, 2/500 runs, 1 probes/s, 0 finding(s), 2.0 s");
    expect(live).toContain(
      "0/2 families done, 2 probes, 1 probes/s, 0 finding(s), 2.0 s elapsed, 58.0 s of budget left",
    );
  });
});

describe("console reporter: the budget and when a finding was found", () => {
  it("says the budget is spent while minimum runs go on, instead of counting down to 0", async () => {
    const h = harness(false);
    const r = h.reporter;
    await r.onRunStart?.(runStart());
    await r.onFamilyStart?.({ type: "family-start", family: "P01", seed: 7, minRuns: 500 });
    for (let runs = 1; runs <= 70; runs++) {
      h.advance(1_000);
      await r.onProbe?.({ type: "probe", family: "P01", runs, outcome: "responded", elapsedMs: 1 });
    }
    const progress = h
      .text()
      .split("\n")
      .filter((line) => line.startsWith("progress: "));
    expect(progress.at(-1)).toBe(
      "progress: 0/2 families done, 70 probes, 1 probes/s, 0 finding(s), 1 m 10 s elapsed, budget spent: completing the minimum runs",
    );
    expect(h.text()).not.toMatch(/\b0 ms left/);
  });

  it("prints how long into the run a finding was found, and nothing when it is unknown", async () => {
    const h = harness(false);
    await h.reporter.onRunStart?.(runStart());
    await h.reporter.onFinding?.({
      type: "finding",
      finding: finding({ family: "P01", id: "P01-t", foundAtMs: 12_345 }),
    });
    await h.reporter.onFinding?.({ type: "finding", finding: finding({ family: "P01", id: "P01-u" }) });
    const lines = h
      .text()
      .split("\n")
      .filter((line) => line.startsWith("FINDING "));
    expect(lines[0]).toMatch(/; found after 12\.3 s; replay: /);
    expect(lines[1]).not.toContain("found after");
  });
});

describe("console reporter in a log (not a TTY)", () => {
  it("leaves the seed line to the command line when told to (one seed line, not two)", async () => {
    const writes: string[] = [];
    const reporter = consoleReporter({
      stream: { write: (text: string) => writes.push(text) },
      isTTY: false,
      seedLine: false,
      now: () => 0,
    });
    await reporter.onRunStart?.(runStart());
    expect(writes.join("")).not.toContain("seed 123456");
    expect(writes.join("")).toMatch(/^run 20251124T031500Z-a1b2c3: /);
  });

  it("writes plain lines: seed first, periodic progress, each finding and family end", async () => {
    const h = harness(false);
    await drive(h, h.reporter);
    const text = h.text();
    expect(text).not.toContain("\u001b");
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("seed 123456 (replay with --seed 123456)");
    // 400 probes 50 ms apart = 20 s: a progress line every 10 s, with the running family under it.
    expect(lines.filter((line) => line.startsWith("progress: "))).toEqual([
      "progress: 0/2 families done, 200 probes, 20 probes/s, 0 finding(s), 10.0 s elapsed, 50.0 s of budget left",
      "progress: 0/2 families done, 400 probes, 20 probes/s, 0 finding(s), 20.0 s elapsed, 40.0 s of budget left",
    ]);
    expect(lines).toContain("  P01: running, 200/500 runs, 20 probes/s, 0 finding(s), 10.0 s");
    expect(lines.filter((line) => line.startsWith("FINDING "))).toHaveLength(1);
    expect(lines).toContain(
      "P01 family-p01: FINDING, 500/500 runs, 26 probes/s, 1 finding(s), 20.0 s, first probe at 1.5 s",
    );
    expect(lines.some((line) => line.startsWith("done: 5720 probes in 1 m 00 s"))).toBe(true);
    expect(lines[lines.length - 1]).toBe("PASS: pass rate 10/10");
  });

  it("prints the interruption and a partial run's failing pass rate", async () => {
    const h = harness(false);
    await h.reporter.onRunStart?.(runStart());
    await h.reporter.onInterrupted?.({ type: "interrupted", signal: "SIGINT" });
    await h.reporter.onRunEnd?.({ type: "run-end", report: report({ interrupted: true }) });
    expect(h.text()).toContain("interrupted by SIGINT: finishing with a partial report\n");
    expect(h.text()).toContain(", interrupted (partial report)\n");
    expect(h.text().trimEnd().split("\n").pop()).toBe("FAIL: pass rate 10/10: 1 problem(s) above");
  });

  it("withholds a line that holds a planted canary", async () => {
    const h = harness(false, { scan: (text) => (text.includes("CANARY") ? "raw" : undefined) });
    await h.reporter.onRunStart?.(runStart());
    await h.reporter.onFinding?.({ type: "finding", finding: finding({ reason: "leaked CANARY" }) });
    expect(h.text()).not.toContain("CANARY");
    expect(h.text()).toContain("[line withheld: a planted canary (raw) appeared in it]\n");
  });
});
