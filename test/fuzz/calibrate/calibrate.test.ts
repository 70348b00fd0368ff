/**
 * calibrate for real, on its fastest flaws (the transports: the reference gate behind the real
 * HTTP and JSON-lines servers), at a fixed seed: both found, by the family and oracle the
 * catalogue names; the same with P04 disabled leaves the JSON-lines flaw unfound; and a "flaw"
 * that is the shipped transport is never reported found.
 */
import { describe, expect, it } from "vitest";
import { calibrate } from "../../../src/fuzz/calibrate/calibrate.js";
import { calibrated } from "../../../src/fuzz/calibrate/results.js";
import type { Flaw } from "../../../src/fuzz/calibrate/flaw.js";

const SEED = 20_260_612;
const TRANSPORTS = ["t2-http-refusal-as-200", "t3-json-lines-stale-reply"];

describe("calibrate", () => {
  it("must fire: finds each transport flaw, naming its family, oracle and time to detection", async () => {
    const report = await calibrate({ seed: SEED, flaws: TRANSPORTS });
    expect(report.flaws.map((f) => f.id)).toEqual(TRANSPORTS);
    const [http, lines] = report.flaws.map((f) => f.result);
    expect(http).toMatchObject({ kind: "found", family: "P03", oracle: "structured" });
    expect(lines).toMatchObject({ kind: "found", family: "P04" });
    for (const result of [http, lines]) {
      if (result?.kind !== "found") continue;
      expect(result.detectedMs).toBeGreaterThan(0);
      expect(result.probes).toBeGreaterThan(0);
    }
    expect(calibrated(report)).toBe(true);
    expect(report).toMatchObject({ seed: SEED, disabledFamilies: [], totals: { flaws: 2, found: 2 } });
  }, 300_000);

  it("with P04 disabled, the flaw only P04 can find goes unfound and the fuzzer is blind", async () => {
    const report = await calibrate({ seed: SEED, flaws: ["t3-json-lines-stale-reply"], skip: ["P04"] });
    expect(report.flaws[0]?.result).toEqual({ kind: "not-run", why: "P04 disabled: nothing could find it" });
    expect(report.disabledFamilies).toEqual(["P04"]);
    expect(calibrated(report)).toBe(false);
  });

  it("must stay quiet: the shipped HTTP transport planted as a 'flaw' is not found", async () => {
    const shipped: Flaw = {
      id: "t2-shipped",
      families: ["P03"],
      oracles: ["structured", "verdict"],
      component: "transport.http",
      models: "nothing: the shipped server, unwrapped",
      swap: { kind: "http", wrap: (service) => service },
    };
    const report = await calibrate({ seed: SEED, runs: 40, catalogue: [shipped] });
    expect(report.flaws[0]?.result.kind).toBe("missed");
    expect(calibrated(report)).toBe(false);
  }, 300_000);

  it("refuses an unknown flaw id, listing the valid ones", async () => {
    await expect(calibrate({ flaws: ["p99-nothing"] })).rejects.toThrow(
      /unknown flaw p99-nothing; the flaws are p01-/,
    );
  });
});
