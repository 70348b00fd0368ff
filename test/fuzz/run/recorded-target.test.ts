import { describe, expect, it } from "vitest";
import { recordedTarget, replayTarget } from "../../../src/fuzz/run/recorded-target.js";
import { runRequirement } from "../../../src/fuzz/run/run-failclosed.js";
import type { Finding, ProbeFamily } from "../../../src/fuzz/types.js";
import { finding } from "../report/fixtures.js";

const keys = ["keys/all.jwks.json"];

function external(): Finding {
  return finding({
    target: "http:http://127.0.0.1:8080",
    evidence: {
      target: { kind: "http", url: "http://127.0.0.1:8080" },
      keyring: [],
      seals: [],
      replay: { command: "npx failclosed replay f.json" },
    },
  });
}

describe("replay fires where the finding was found", () => {
  it("reads the target from the evidence, or from an older finding's target name", () => {
    expect(recordedTarget(external())).toEqual({ kind: "http", url: "http://127.0.0.1:8080" });
    expect(recordedTarget(finding({ target: "child:node gate.js" }))).toEqual({
      kind: "child",
      command: "node gate.js",
    });
    expect(recordedTarget(finding({ target: "reference" }))).toEqual({ kind: "reference" });
  });

  it("defaults to the recorded target with the keyring given, and asks for one when none is", () => {
    const warnings: string[] = [];
    expect(replayTarget(external(), undefined, keys, (w) => warnings.push(w))).toEqual({
      kind: "http",
      url: "http://127.0.0.1:8080",
      keyring: keys,
    });
    expect(warnings).toEqual([]);
    expect(() => replayTarget(external(), undefined, undefined, () => undefined)).toThrow(
      /give its test keyring/,
    );
  });

  it("warns when told another target, refuses the reference lane for an external finding", () => {
    const warnings: string[] = [];
    replayTarget(external(), { kind: "http", url: "http://127.0.0.1:9090", keyring: keys }, undefined, (w) =>
      warnings.push(w),
    );
    expect(warnings).toEqual([
      expect.stringMatching(
        /found on http:\/\/127\.0\.0\.1:8080; replaying it at http:\/\/127\.0\.0\.1:9090/,
      ),
    ]);
    expect(() => replayTarget(external(), { kind: "reference" }, undefined, () => undefined)).toThrow(
      /the reference lane cannot judge it/,
    );
    // The same address written another way is the same target: no warning.
    const quiet: string[] = [];
    replayTarget(external(), { kind: "http", url: "http://127.0.0.1:8080/", keyring: keys }, undefined, (w) =>
      quiet.push(w),
    );
    expect(quiet).toEqual([]);
  });
});

describe("runRequirement: what a run's own verdict requires", () => {
  const fam = (id: string, role: "attack" | "control" = "attack"): ProbeFamily =>
    ({ id, role }) as unknown as ProbeFamily;
  const all = [fam("C01", "control"), ...["P01", "P02", "P07"].map((id) => fam(id))];

  it("the ten for a whole run, without excuses", () => {
    expect(runRequirement(all, {})).toEqual({
      families: ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10"],
    });
  });

  it("the selected attack families for --only or --skip, and what applies with --no-lane", () => {
    expect(runRequirement(all, { only: ["P01", "C01"] })).toEqual({
      families: ["P01", "P02", "P07"],
      applicable: true,
    });
    expect(runRequirement(all, { skip: ["P07"] })).toMatchObject({ applicable: true });
    expect(runRequirement(all, { noLane: true })).toMatchObject({ applicable: true });
  });
});
