/**
 * The catalogue's own promises (issue #15): at least two flaws for every family P01-P10 and one
 * per transport, every id usable in a report, and every flaw file in flaws/ planted by an entry.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGUE, flawIds, NOT_PLANTED } from "../../../src/fuzz/calibrate/catalogue.js";
import { RELEASE_FAMILIES } from "../../../src/fuzz/report/index.js";

/** The fault drills (probes/d01-fault-drills.ts): not release families, calibrated all the same. */
const FAULT_DRILLS = ["D01", "D02"];

const FLAWS_DIR = join(import.meta.dirname, "..", "..", "..", "src", "fuzz", "calibrate", "flaws");

describe("the calibration catalogue", () => {
  it.each([...RELEASE_FAMILIES])("plants at least two flaws in the lane's parts for %s", (family) => {
    const planted = CATALOGUE.filter((f) => f.swap.kind === "component" && f.families.includes(family));
    expect(planted.length, planted.map((f) => f.id).join(", ")).toBeGreaterThanOrEqual(2);
  });

  it("plants at least one flaw only a fault drill can see", () => {
    expect(
      CATALOGUE.filter((f) => f.families.some((family) => FAULT_DRILLS.includes(family))).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it.each(["http", "json-lines"] as const)("plants at least one flaw in the %s transport", (kind) => {
    expect(CATALOGUE.filter((f) => f.swap.kind === kind).length).toBeGreaterThanOrEqual(1);
  });

  it("names each flaw once, with an id the report schema takes, a family and an oracle", () => {
    const ids = flawIds();
    expect(new Set(ids).size).toBe(ids.length);
    for (const flaw of CATALOGUE) {
      expect(flaw.id).toMatch(/^[a-z0-9][a-z0-9-]{0,127}$/);
      expect(flaw.families.length).toBeGreaterThan(0);
      expect(flaw.families.every((f) => [...RELEASE_FAMILIES, ...FAULT_DRILLS].includes(f))).toBe(true);
      expect(flaw.oracles.length).toBeGreaterThan(0);
      expect(flaw.models.length).toBeGreaterThan(10);
    }
  });

  it("plants every flaw file in flaws/ but those NOT_PLANTED says why (a file without an entry is never calibrated)", () => {
    const files = readdirSync(FLAWS_DIR)
      .filter((name) => name.endsWith(".ts") && /^(p[0-9]{2}|d[0-9]{2}|t[0-9])-/.test(name))
      .map((name) => name.replace(/\.ts$/, ""));
    const planted = files.filter((name) => !(name in NOT_PLANTED));
    expect(planted.sort()).toEqual(flawIds().sort());
    expect(Object.keys(NOT_PLANTED).every((name) => files.includes(name))).toBe(true);
  });
});
