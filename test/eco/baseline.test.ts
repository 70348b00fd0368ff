import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyBaseline, neverAccepted } from "../../src/fuzz/baseline/apply.js";
import { type Baseline, parseBaseline } from "../../src/fuzz/baseline/baseline.js";
import { formatBaseline } from "../../src/fuzz/baseline/format.js";
import {
  RELEASE_FAMILIES,
  evaluateGate,
  findingFingerprint,
  gateExitCode,
  renderReportJson,
} from "../../src/fuzz/report/index.js";
import type { Report } from "../../src/fuzz/report-types.js";
import type { Finding } from "../../src/fuzz/types.js";
import { family, finding, report, withFamily } from "../fuzz/report/fixtures.js";
import { cli } from "./cli.js";
import { sarifSchemaErrors } from "./sarif-schema.js";

const NOW = Date.parse("2026-12-06T12:00:00Z");
const crash = finding({
  family: "P04",
  oracle: "structured",
  rule: "F4 (G5: a spent grant reused)",
  reason: "crashed (TypeError: nonce is undefined)",
});

function entry(of: Finding, expires = "2027-01-31", family = of.family) {
  return {
    fingerprint: findingFingerprint(of),
    family,
    expires,
    reason: "gate#123: ledger crash, fix in 2.4 (alice)",
  };
}

function baseline(...entries: ReturnType<typeof entry>[]): Baseline {
  return { kind: "failclosed-baseline", v: 1, entries };
}

function withFinding(of: Finding, runs = 500): Report {
  return withFamily(report(), family(of.family, { status: { kind: "finding" }, findings: [of], runs }));
}

const bytes = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
const gate = (reports: readonly Report[]) => evaluateGate(reports, { families: RELEASE_FAMILIES });

describe("reading a baseline", () => {
  it("accepts a well-formed file", () => {
    expect(parseBaseline(bytes(baseline(entry(crash))), NOW).entries).toHaveLength(1);
  });

  it.each([
    ["a duplicate member (R3)", `{"kind":"failclosed-baseline","v":1,"v":1,"entries":[]}`],
    ["a byte-order mark", `\ufeff{"kind":"failclosed-baseline","v":1,"entries":[]}`],
    ["an unknown member", JSON.stringify({ ...baseline(), extra: true })],
    ["an entry without a reason", JSON.stringify(baseline({ ...entry(crash), reason: "" }))],
    ["a date that does not exist", JSON.stringify(baseline(entry(crash, "2027-02-30")))],
    ["an expiry more than a year away", JSON.stringify(baseline(entry(crash, "2028-01-01")))],
    ["a fingerprint twice", JSON.stringify(baseline(entry(crash), entry(crash, "2027-01-01")))],
    ["a wrong kind", JSON.stringify({ ...baseline(), kind: "baseline" })],
  ])("refuses %s", (_, text) => {
    expect(() => parseBaseline(Buffer.from(text), NOW, "b.json")).toThrow(/^b\.json: not a valid baseline/);
  });
});

describe("applying a baseline", () => {
  it("turns a known crash (F4) into a warning: the gate passes when the family ran its minimum", () => {
    const reports = [withFinding(crash)];
    expect(gateExitCode(gate(reports))).toBe(1);
    const outcome = applyBaseline(reports, baseline(entry(crash)), NOW);
    expect(outcome.known.map((k) => k.finding.id)).toEqual([crash.id]);
    expect(gate(outcome.reports).kind).toBe("pass");
    expect(formatBaseline(outcome)).toMatch(
      /^warning: known finding P02-0123456789abcdef \(P04, structured\)/,
    );
  });

  it("never proves what a known finding cut short: the family is inconclusive (exit 2), not closed", () => {
    const outcome = applyBaseline([withFinding(crash, 37)], baseline(entry(crash)), NOW);
    const result = gate(outcome.reports);
    expect(gateExitCode(result)).toBe(2);
    expect(result.kind === "fail" && result.reasons.join("\n")).toContain(
      "stopped by a known (baselined) finding at 37 of 500 runs",
    );
  });

  it("an expired entry accepts nothing and is reported; an unused one is reported", () => {
    const other = finding({ ...crash, family: "P06", reason: "HTTP 500" });
    const outcome = applyBaseline(
      [withFinding(crash)],
      baseline(entry(crash, "2026-12-06"), entry(other)),
      NOW,
    );
    expect(outcome.known).toEqual([]);
    expect(gateExitCode(gate(outcome.reports))).toBe(1);
    expect(outcome.expired.map((e) => e.expires)).toEqual(["2026-12-06"]);
    expect(outcome.unused.map((e) => e.family)).toEqual(["P06"]);
    expect(formatBaseline(outcome)).toContain("expired on 2026-12-06: it accepts nothing");
    expect(formatBaseline(outcome)).toContain("matched no finding");
  });

  it("an entry for another family does not apply", () => {
    const outcome = applyBaseline([withFinding(crash)], baseline(entry(crash, "2027-01-31", "P03")), NOW);
    expect(outcome.known).toEqual([]);
    expect(outcome.unused).toHaveLength(1);
  });

  it("can never accept an ALLOW or PASS to an attack, a leak or a failed control, nor hide a canary", () => {
    const unacceptable = fc.oneof(
      fc.record({ rule: fc.constant("F1 (G2: weaker option)"), role: fc.constant("attack" as const) }),
      fc.record({ rule: fc.constant("F2 (P10: echo)"), role: fc.constant("attack" as const) }),
      fc.record({
        rule: fc.constantFrom("F5 (control)", "F4 (control)", "F3 (G5: x)"),
        role: fc.constant("control" as const),
      }),
    );
    fc.assert(
      fc.property(unacceptable, fc.string({ maxLength: 40 }), fc.boolean(), (shape, reason, canary) => {
        const bad = finding({
          ...crash,
          ...shape,
          family: shape.role === "control" ? "C-GATE" : "P04",
          reason,
        });
        const base = withFinding(bad);
        const reports = [canary ? { ...base, canary: "hit" as const } : base];
        const outcome = applyBaseline(reports, baseline(entry(bad)), NOW);
        expect(neverAccepted(bad)).toBeDefined();
        expect(outcome.known).toEqual([]);
        expect(outcome.refused).toHaveLength(1);
        expect(gateExitCode(gate(outcome.reports))).toBe(canary ? 3 : 1);
      }),
    );
  });

  it("through the command line: gate --baseline passes with a warning; without it the same report fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "failclosed-baseline-"));
    await mkdir(join(dir, "night"));
    await writeFile(join(dir, "night", "report.json"), renderReportJson(withFinding(crash)));
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await writeFile(join(dir, "baseline.json"), JSON.stringify(baseline(entry(crash, expires))));
    const known = await cli(["gate", "night", "--baseline", "baseline.json"], { cwd: dir });
    expect(known.code, known.stderr).toBe(0);
    expect(known.stdout).toContain(`warning: known finding ${crash.id}`);
    expect(known.stdout).toContain("PASS: pass rate 10/10");
    expect((await cli(["gate", "night"], { cwd: dir })).code).toBe(1);
    const sarif = await cli(["gate", "night", "--baseline", "baseline.json", "--sarif", "out.sarif"], {
      cwd: dir,
    });
    expect(sarif.code).toBe(0);
    const log = JSON.parse(await readFile(join(dir, "out.sarif"), "utf8")) as {
      runs: { results: { suppressions?: { status: string; justification: string }[] }[] }[];
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0]?.results[0]?.suppressions?.[0]).toMatchObject({ status: "accepted" });
    expect(log.runs[0]?.results[0]?.suppressions?.[0]?.justification).toContain(`until ${expires}`);
    await writeFile(join(dir, "bad.json"), "{}");
    const bad = await cli(["gate", "night", "--baseline", "bad.json"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^failclosed: DOCUMENT_INVALID: bad\.json: not a valid baseline/);
  });
});
