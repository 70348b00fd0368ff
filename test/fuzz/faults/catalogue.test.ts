/**
 * The fault catalogue's promises: every name in the report schema's finding (so a finding that
 * names its fault is written and read back), each fault provoked in the component it says, and the
 * classes the issue asks for all present (ledger, clone, evidence, keyring at start).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_NAMES, FAULTS, faultsFor, isFaultName } from "../../../src/fuzz/faults/catalogue.js";
import { validateFinding } from "../../../src/fuzz/report/schema.js";
import { finding } from "../report/fixtures.js";

const SCHEMA = join(import.meta.dirname, "..", "..", "..", "schemas", "report.schema.json");

describe("the fault catalogue", () => {
  it("lists in the report schema exactly the names the catalogue has", () => {
    const schema = JSON.parse(readFileSync(SCHEMA, "utf8")) as {
      definitions: { finding: { properties: { fault: { enum: string[] } } } };
    };
    expect(schema.definitions.finding.properties.fault.enum).toEqual([...FAULT_NAMES]);
    expect([...FAULTS.keys()]).toEqual([...FAULT_NAMES]);
  });

  it("takes a finding that names its fault, and refuses one that names no fault of the catalogue", () => {
    expect(validateFinding({ ...finding(), fault: "ledger-unavailable" }).ok).toBe(true);
    expect(validateFinding({ ...finding(), fault: "ledger-on-fire" }).ok).toBe(false);
    expect(isFaultName("ledger-unavailable")).toBe(true);
    expect(isFaultName("__proto__")).toBe(false);
  });

  it("provokes each class the issue names in the component that meets it", () => {
    expect(faultsFor("decide")).toEqual([
      "ledger-unavailable",
      "ledger-fails-mid-decision",
      "keyring-missing",
      "keyring-unreadable",
      "keyring-malformed",
      "keyring-wrong-role",
    ]);
    expect(faultsFor("rehearse")).toEqual([
      "clone-unavailable",
      "clone-vanishes-mid-rehearsal",
      "evidence-unwritable",
      "keyring-missing",
      "keyring-unreadable",
      "keyring-malformed",
      "keyring-wrong-role",
    ]);
    for (const fault of FAULTS.values()) {
      expect(fault.rules.length, fault.name).toBeGreaterThan(0);
      expect(fault.phase === "start", fault.name).toBe(fault.name.startsWith("keyring-"));
    }
  });
});
