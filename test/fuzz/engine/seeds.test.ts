/**
 * Seeds (issue #12): every seed failclosed draws and prints is accepted by --seed, over the whole
 * range, and nothing else is.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SEED, deriveSeed, parseSeed, randomSeed } from "../../../src/fuzz/engine/seeds.js";
import { FailclosedError } from "../../../src/kernel/errors.js";

function usage(text: string): string {
  try {
    parseSeed(text);
  } catch (error) {
    if (error instanceof FailclosedError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error(`--seed ${text} was accepted`);
}

describe("seeds", () => {
  it("property: every seed in the whole range round-trips through its printed form", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SEED }), (seed) => parseSeed(`${seed}`) === seed),
      { numRuns: 2_000, seed: 12 },
    );
  });

  it("accepts the ends of the range, the largest printed seed among them", () => {
    for (const seed of [0, 1, 999_999_999, 1_000_000_000, MAX_SEED])
      expect(parseSeed(String(seed))).toBe(seed);
  });

  it("draws seeds inside the range parseSeed accepts, and derives sub-seeds inside it too", () => {
    for (let i = 0; i < 1_000; i++) {
      const seed = randomSeed();
      expect(parseSeed(String(seed))).toBe(seed);
      expect(deriveSeed(seed, "P01", i)).toBeLessThanOrEqual(MAX_SEED);
    }
  });

  it("refuses what it does not print, with a usage error that names the range", () => {
    for (const text of [
      String(MAX_SEED + 1),
      "4294967296",
      "-1",
      "+5",
      "07",
      "1e3",
      "1.0",
      " 5",
      "",
      "0x10",
      "12345678901",
    ]) {
      expect(usage(text)).toBe("USAGE: --seed takes a whole number from 0 to 2147483647");
    }
  });
});
