import { describe, expect, it } from "vitest";
import { EXIT } from "../../../src/cli/exit-codes.js";
import {
  RELEASE_FAMILIES,
  evaluateGate,
  formatGate,
  gateExitCode,
  type GateResult,
} from "../../../src/fuzz/report/index.js";
import type { Report } from "../../../src/fuzz/report-types.js";
import { REQUIRED, TEN, family, finding, report, withFamily } from "./fixtures.js";

/** The two halves of one run split into shards: every family with half its minimum runs. */
function shard(index: number, total: number, overrides: Partial<Report> = {}): Report {
  const base = report({ runId: `run-s${index}`, shard: { index, total } });
  return {
    ...base,
    families: base.families.map((result) => ({ ...result, runs: 250, seed: index })),
    ...overrides,
  };
}

function fails(result: GateResult): Extract<GateResult, { kind: "fail" }> {
  if (result.kind !== "fail") throw new Error("expected the gate to fail");
  return result;
}

describe("evaluateGate", () => {
  it("passes one clean report with every family closed and a control held", () => {
    const result = evaluateGate([report()], REQUIRED);
    expect(result).toMatchObject({ kind: "pass", passRate: "10/10", closed: 10, required: 10, reports: 1 });
    expect(gateExitCode(result)).toBe(0);
  });

  it("RELEASE_FAMILIES are the ten P01..P10", () => {
    expect([...RELEASE_FAMILIES]).toEqual([...TEN]);
  });

  describe("shards add up their runs", () => {
    it("passes when the shards' runs reach minRuns together", () => {
      expect(evaluateGate([shard(1, 2), shard(2, 2)], REQUIRED)).toMatchObject({
        kind: "pass",
        passRate: "10/10",
      });
    });

    it("fails when they fall short, as inconclusive", () => {
      const short = shard(2, 2);
      const thin = {
        ...short,
        families: short.families.map((r) => (r.family === "P05" ? { ...r, runs: 249 } : r)),
      };
      const result = fails(evaluateGate([shard(1, 2), thin], REQUIRED));
      expect(result.passRate).toBe("9/10");
      expect(result.reasons).toEqual(["P05 family-p05: 499 of 500 required runs over 2 report(s)"]);
      expect(gateExitCode(result)).toBe(2);
    });

    it("fails when a shard is missing", () => {
      const result = fails(evaluateGate([shard(1, 3), shard(2, 3)], REQUIRED));
      expect(result.reasons).toContain("shard 3/3 is missing");
      expect(gateExitCode(result)).toBe(2);
    });

    it("never counts the same report or the same seed and shard twice", () => {
      const twice = fails(evaluateGate([shard(1, 2), shard(1, 2)], REQUIRED));
      expect(twice.reasons.join("\n")).toMatch(/given twice/);
      expect(twice.reasons.join("\n")).toMatch(/shard 2\/2 is missing/);
      const again = fails(evaluateGate([report({ runId: "a" }), report({ runId: "b" })], REQUIRED));
      expect(again.reasons).toEqual([
        "reports a and b both ran seed 123456: the same probes cannot count twice",
      ]);
      expect(evaluateGate([report({ runId: "a" }), report({ runId: "b", seed: 7 })], REQUIRED).kind).toBe(
        "pass",
      );
    });
  });

  describe("a finding anywhere fails", () => {
    it("in one shard while the other says closed", () => {
      const bad = shard(2, 2);
      const withFinding = withFamily(bad, {
        ...bad.families[1]!,
        status: { kind: "finding" },
        findings: [finding()],
      });
      const result = fails(evaluateGate([shard(1, 2), withFinding], REQUIRED));
      expect(result.passRate).toBe("9/10");
      expect(result.reasons).toEqual([
        "P02 family-p02: finding P02-0123456789abcdef (verdict-is-refusal, confirmed): verdict was ALLOW for a probe that breaks S3",
      ]);
      expect(gateExitCode(result)).toBe(1);
    });

    it("in a family outside the required ten", () => {
      const extra = report({
        families: [...report().families, family("P11", { findings: [finding({ family: "P11" })] })],
      });
      const result = fails(evaluateGate([extra], REQUIRED));
      expect(result.passRate).toBe("10/10");
      expect(gateExitCode(result)).toBe(1);
    });

    it("when a report's totals count findings its families do not list", () => {
      const r = report();
      const result = fails(evaluateGate([{ ...r, totals: { ...r.totals, findings: 1 } }], REQUIRED));
      expect(result.reasons).toEqual([`report ${r.runId} counts 1 findings but its families list 0`]);
      expect(gateExitCode(result)).toBe(1);
    });
  });

  it("a missing family fails with N/10 counting only those closed", () => {
    const r = report();
    const result = fails(
      evaluateGate([{ ...r, families: r.families.filter((f) => f.family !== "P08") }], REQUIRED),
    );
    expect(result.passRate).toBe("9/10");
    expect(result.reasons).toEqual(["P08: no report ran it"]);
    expect(result.families.find((f) => f.family === "P08")).toEqual({
      verdict: "missing",
      family: "P08",
      role: "attack",
    });
    expect(gateExitCode(result)).toBe(2);
  });

  it("an inconclusive family fails even when another report closed it", () => {
    const a = report({ runId: "a" });
    const b = withFamily(
      report({ runId: "b", seed: 9 }),
      family("P06", { status: { kind: "inconclusive", why: "oracle threw" } }),
    );
    expect(evaluateGate([a], REQUIRED).kind).toBe("pass");
    const result = fails(evaluateGate([a, b], REQUIRED));
    expect(result.passRate).toBe("9/10");
    expect(result.reasons).toEqual(["P06 family-p06: inconclusive: oracle threw"]);
    expect(gateExitCode(result)).toBe(2);
  });

  describe("controls", () => {
    it("a failed control fails the gate although every attack is closed", () => {
      const r = withFamily(
        report(),
        family("C-GATE", {
          status: { kind: "finding" },
          findings: [finding({ id: "C-GATE-1", family: "C-GATE", role: "control" })],
        }),
      );
      const result = fails(evaluateGate([r], REQUIRED));
      expect(result.passRate).toBe("10/10");
      expect(result.problems.map((p) => p.kind)).toEqual(["control"]);
      expect(gateExitCode(result)).toBe(1);
    });

    it("an inconclusive control fails the gate as inconclusive (exit 2), not as a refused control", () => {
      const r = withFamily(
        report(),
        family("C-GATE", { status: { kind: "inconclusive", why: "unreachable" } }),
      );
      const result = fails(evaluateGate([r], REQUIRED));
      expect(result.reasons).toEqual(["C-GATE family-c-gate (control): inconclusive: unreachable"]);
      expect(gateExitCode(result)).toBe(2);
    });

    it("no control at all fails: a gate refusing everything must not earn 10/10", () => {
      const r = report();
      const result = fails(
        evaluateGate([{ ...r, families: r.families.filter((f) => f.role === "attack") }], REQUIRED),
      );
      expect(result.passRate).toBe("10/10");
      expect(result.reasons[0]).toMatch(/no control family ran/);
      expect(gateExitCode(result)).toBe(2);
    });

    it("named controls must each have run", () => {
      expect(evaluateGate([report()], { ...REQUIRED, controls: ["C-GATE"] }).kind).toBe("pass");
      const result = fails(evaluateGate([report()], { ...REQUIRED, controls: ["C-GATE", "C-LANE"] }));
      expect(result.reasons).toEqual(["control C-LANE: no report ran it"]);
    });

    it("a required attack that ran as a control does not count", () => {
      const r = withFamily(report(), family("P01", { role: "control" }));
      const result = fails(evaluateGate([r], REQUIRED));
      expect(result.passRate).toBe("9/10");
      expect(result.reasons).toEqual(["P01: ran as a control, not as an attack"]);
    });
  });

  it("a canary hit fails and outranks everything for the exit code", () => {
    const hitReport = report({ canary: "hit" });
    const result = fails(evaluateGate([hitReport], REQUIRED));
    expect(result.passRate).toBe("10/10");
    expect(gateExitCode(result)).toBe(3);
    const worse = withFamily({ ...hitReport, interrupted: true }, family("P02", { findings: [finding()] }));
    expect(gateExitCode(evaluateGate([worse], REQUIRED))).toBe(3);
  });

  it("a finding outranks an interruption or an inconclusive family for the exit code", () => {
    let r = withFamily(report({ interrupted: true }), family("P02", { findings: [finding()] }));
    r = withFamily(r, family("P03", { status: { kind: "inconclusive", why: "cut off" } }));
    expect(gateExitCode(evaluateGate([r], REQUIRED))).toBe(1);
  });

  it("an interrupted report fails, even with every family closed", () => {
    const result = fails(evaluateGate([report({ interrupted: true })], REQUIRED));
    expect(result.reasons).toEqual(["report 20251124T031500Z-a1b2c3 is partial: the run was interrupted"]);
    expect(gateExitCode(result)).toBe(2);
  });

  it("no reports fails with 0/10", () => {
    const result = fails(evaluateGate([], REQUIRED));
    expect(result.passRate).toBe("0/10");
    expect(gateExitCode(result)).toBe(2);
  });

  it("counts N as the required attack families closed", () => {
    let r = report();
    for (const id of ["P01", "P04", "P07"]) r = withFamily(r, family(id, { runs: 1 }));
    expect(fails(evaluateGate([r], REQUIRED)).passRate).toBe("7/10");
    r = withFamily(
      r,
      family("P10", { status: { kind: "finding" }, findings: [finding({ id: "P10-x", family: "P10" })] }),
    );
    expect(fails(evaluateGate([r], REQUIRED)).passRate).toBe("6/10");
  });

  it("exit codes equal the command line's EXIT table", () => {
    expect([EXIT.OK, EXIT.NEGATIVE, EXIT.USAGE, EXIT.CANARY]).toEqual([0, 1, 2, 3]);
  });
});

describe("formatGate", () => {
  it("lists every family and ends with the pass rate", () => {
    const text = formatGate(evaluateGate([report()], REQUIRED));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("release gate over 1 report(s):");
    expect(lines.filter((line) => /^ {2}(P|C-)/.test(line))).toHaveLength(11);
    expect(lines[lines.length - 1]).toBe("PASS: pass rate 10/10");
  });

  it("prints the reasons and N/10 on a failure, with control characters made visible", () => {
    const r = withFamily(
      report(),
      family("P03", { status: { kind: "inconclusive", why: "boom\u001b[2J\nforged line" } }),
    );
    const text = formatGate(
      evaluateGate(
        [report({ runId: "x", seed: 1, families: r.families.filter((f) => f.family !== "P09") })],
        REQUIRED,
      ),
    );
    expect(text).not.toContain("\u001b");
    expect(text).toContain("P03 family-p03: inconclusive: boom\\x1b[2J\\x0aforged line");
    expect(text).toMatch(/^ {2}P09 +MISSING$/m);
    expect(text).toMatch(/^ {2}P02 family-p02 +closed +500\/500 runs$/m);
    expect(text.trimEnd().split("\n").pop()).toBe("FAIL: pass rate 8/10: 2 problem(s) above");
  });
});

describe("not applicable families and what is required", () => {
  const noLane = (): Report => {
    const base = report();
    return {
      ...base,
      families: base.families.filter((f) => f.family !== "P07" && f.family !== "P08"),
      notApplicable: [
        { family: "P07", name: "production-target", why: "the target has no lane" },
        { family: "P08", name: "rollback-escape", why: "the target has no lane" },
      ],
    };
  };

  it("a report without a lane fails the release gate by default, saying how to require only what applies", () => {
    const result = fails(evaluateGate([noLane()], REQUIRED));
    expect(result.passRate).toBe("8/10");
    expect(result.reasons).toEqual([
      "P07 production-target: not applicable to the target (the target has no lane); to require only what applies, use --applicable",
      "P08 rollback-escape: not applicable to the target (the target has no lane); to require only what applies, use --applicable",
    ]);
    expect(gateExitCode(result)).toBe(2);
    expect(formatGate(result)).toMatch(/^ {2}P07 production-target +N\/A +the target has no lane$/m);
  });

  it("with applicable, the excused families leave the denominator and the text says which", () => {
    const result = evaluateGate([noLane()], { ...REQUIRED, applicable: true });
    expect(result).toMatchObject({ kind: "pass", passRate: "8/8", excused: ["P07", "P08"] });
    expect(gateExitCode(result)).toBe(0);
    expect(formatGate(result).trimEnd().split("\n").pop()).toBe(
      "PASS: pass rate 8/8 (P07, P08 not applicable)",
    );
  });

  it("applicable never excuses a family that a report did run, nor one nobody calls not applicable", () => {
    const ran = report({ runId: "other", seed: 99 });
    const thin = {
      ...ran,
      families: ran.families.filter((f) => f.family === "P07").map((f) => ({ ...f, runs: 1 })),
    };
    const result = fails(evaluateGate([noLane(), thin], { ...REQUIRED, applicable: true }));
    expect(result.excused).toEqual(["P08"]);
    expect(result.reasons.some((r) => r.startsWith("P07 family-p07: 1 of 500 required runs"))).toBe(true);
    const missing = fails(
      evaluateGate([{ ...noLane(), notApplicable: [] }], { ...REQUIRED, applicable: true }),
    );
    expect(missing.reasons).toContain("P07: no report ran it");
  });

  it("an attack family left out of the requirement cannot hold it up by being incomplete, but its finding does", () => {
    const nine = REQUIRED.families.filter((id) => id !== "P07");
    const cut = withFamily(report(), family("P07", { status: { kind: "inconclusive", why: "no clones" } }));
    const pass = evaluateGate([cut], { families: nine });
    expect(pass).toMatchObject({ kind: "pass", passRate: "9/9" });
    expect(formatGate(pass).trimEnd().split("\n").pop()).toBe("PASS: pass rate 9/9");
    const found = withFamily(
      report(),
      family("P07", { status: { kind: "finding" }, findings: [finding({ family: "P07" })] }),
    );
    const failed = fails(evaluateGate([found], { families: nine }));
    expect(failed.passRate).toBe("9/9");
    expect(gateExitCode(failed)).toBe(1);
    expect(formatGate(failed).trimEnd().split("\n").pop()).toBe("FAIL: pass rate 9/9: 1 problem(s) above");
  });
});
