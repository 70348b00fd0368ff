/** The oracle registry: names are checked, unknown and duplicate names list the valid ones. */
import { describe, expect, it } from "vitest";
import {
  ORACLES,
  OracleRegistryError,
  createOracleRegistry,
  oracleByName,
  selectOracles,
} from "../../../src/fuzz/oracles/index.js";

const NAMES = [
  "verdict",
  "double-spend",
  "leak",
  "echo",
  "state",
  "structured",
  "differential",
  "control",
  "sequence",
  "metamorphic",
];

function catchError(fn: () => unknown): OracleRegistryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OracleRegistryError) return error;
    throw error;
  }
  throw new Error("did not throw");
}

describe("oracle registry", () => {
  it("holds F1 to F5 under their names, in rule order, races and sequences among them, then the metamorphic F1", () => {
    expect(ORACLES.map((oracle) => oracle.name)).toEqual(NAMES);
    expect(ORACLES.map((oracle) => oracle.rule)).toEqual([
      "F1",
      "F1",
      "F2",
      "F2",
      "F3",
      "F4",
      "F4",
      "F5",
      "F5",
      "F1",
    ]);
    expect(ORACLES.map((oracle) => oracle.appliesTo)).toEqual([
      "attack",
      "race",
      "all",
      "all",
      "attack",
      "all",
      "all",
      "control",
      "setup",
      "all",
    ]);
    for (const name of NAMES) expect(oracleByName(name).name).toBe(name);
  });

  it("throws on an unknown name, listing the valid ones", () => {
    for (const name of ["leaks", "Verdict", "__proto__", "toString", ""]) {
      const error = catchError(() => oracleByName(name));
      expect(error.code).toBe("ORACLE_UNKNOWN");
      expect(error.message).toContain(`valid oracles: ${NAMES.join(", ")}`);
    }
  });

  it("throws on a duplicate name, registered or selected, listing the valid ones", () => {
    const twice = catchError(() => createOracleRegistry([...ORACLES, { ...ORACLES[2]! }]));
    expect(twice.code).toBe("ORACLE_DUPLICATE");
    expect(twice.message).toMatch(
      /^oracle leak registered twice; valid oracles: verdict, double-spend, leak/,
    );
    const selected = catchError(() => selectOracles(["leak", "state", "leak"]));
    expect(selected.code).toBe("ORACLE_DUPLICATE");
    expect(selected.message).toContain("valid oracles:");
    expect(selectOracles(["state", "leak"]).map((oracle) => oracle.name)).toEqual(["state", "leak"]);
  });
});
