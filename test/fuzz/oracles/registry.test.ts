/** The oracle registry and judgeAll: names are checked, and an oracle that throws is an error. */
import { describe, expect, it } from "vitest";
import { plantCanaryKey } from "../../../src/fuzz/canary/index.js";
import {
  ORACLES,
  OracleRegistryError,
  createOracleRegistry,
  judgeAll,
  oracleByName,
  selectOracles,
} from "../../../src/fuzz/oracles/index.js";
import type { Oracle } from "../../../src/fuzz/types.js";
import { DENY_BODY, input, probe, responded } from "./support.js";

const NAMES = ["verdict", "leak", "state", "structured", "control"];

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
  it("holds F1 to F5 under their names", () => {
    expect(ORACLES.map((oracle) => oracle.name)).toEqual(NAMES);
    expect(ORACLES.map((oracle) => oracle.rule)).toEqual(["F1", "F2", "F3", "F4", "F5"]);
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
    const twice = catchError(() => createOracleRegistry([...ORACLES, { ...ORACLES[1]! }]));
    expect(twice.code).toBe("ORACLE_DUPLICATE");
    expect(twice.message).toMatch(/^oracle leak registered twice; valid oracles: verdict, leak/);
    const selected = catchError(() => selectOracles(["leak", "state", "leak"]));
    expect(selected.code).toBe("ORACLE_DUPLICATE");
    expect(selected.message).toContain("valid oracles:");
    expect(selectOracles(["state", "leak"]).map((oracle) => oracle.name)).toEqual(["state", "leak"]);
  });
});

describe("judgeAll", () => {
  const canaries = [plantCanaryKey().d];
  const throwing: Oracle = {
    name: "throws",
    rule: "F4",
    appliesTo: "all",
    judge: () => {
      throw new TypeError(`bad state near ${canaries[0]}`);
    },
  };
  const rejecting: Oracle = {
    name: "rejects",
    rule: "F2",
    appliesTo: "all",
    judge: () => Promise.reject(new Error("gone")),
  };

  it("runs the oracles that apply to the probe's role", async () => {
    const attack = await judgeAll(
      ORACLES,
      input(
        { canaries, sealedBy: () => Promise.resolve(undefined) },
        probe("attack"),
        responded(DENY_BODY, { status: 403 }),
      ),
    );
    expect(attack.map((judgement) => [judgement.oracle, judgement.verdict.kind])).toEqual([
      ["verdict", "pass"],
      ["leak", "pass"],
      ["state", "pass"],
      ["structured", "pass"],
    ]);
    const control = await judgeAll(ORACLES, input(undefined, probe("control"), responded(DENY_BODY)));
    expect(control.map((judgement) => judgement.oracle)).toEqual(["leak", "structured", "control"]);
  });

  it("turns a throwing or rejecting oracle into an error, never a pass, and withholds secrets", async () => {
    const results = await judgeAll(
      [throwing, rejecting],
      input({ canaries, sealedBy: () => Promise.resolve(undefined) }, probe("attack"), responded(DENY_BODY)),
    );
    expect(results).toEqual([
      {
        oracle: "throws",
        rule: "F4",
        verdict: {
          kind: "error",
          detail: "oracle throws threw: message withheld: it could not be cleared of canary material",
        },
      },
      {
        oracle: "rejects",
        rule: "F2",
        verdict: { kind: "error", detail: "oracle rejects threw: Error: gone" },
      },
    ]);
  });

  it("turns a sealedBy that throws into an error of the oracle that called it", async () => {
    // Shaped like a seal, so the leak oracle asks sealedBy about it.
    const lookalike = `eyJhbGciOiJFZERTQSIsImtpZCI6ImsifQ.e30.${"A".repeat(86)}`;
    const results = await judgeAll(
      [oracleByName("leak")],
      input(
        { canaries, sealedBy: () => Promise.reject(new Error("keyring closed")) },
        probe("attack"),
        responded(DENY_BODY, { channels: { stdout: lookalike } }),
      ),
    );
    expect(results[0]?.verdict).toEqual({
      kind: "error",
      detail: "oracle leak threw: Error: keyring closed",
    });
  });
});
