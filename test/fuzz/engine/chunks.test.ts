/** How a family's runs are cut into seeded fast-check runs: smoke first, the floor never straddled. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHUNK_RUNS, SMOKE_ROUNDS, planChunks } from "../../../src/fuzz/engine/chunks.js";

describe("planChunks", () => {
  it("starts with single-run smoke chunks, then slices the floor, then the runs beyond it", () => {
    const chunks = planChunks(200, 150, true);
    expect(chunks.slice(0, SMOKE_ROUNDS).map((c) => [c.numRuns, c.smoke])).toEqual([
      [1, true],
      [1, true],
      [1, true],
    ]);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.filter((c) => !c.beyondFloor).reduce((n, c) => n + c.numRuns, 0)).toBe(150);
    expect(chunks.filter((c) => c.beyondFloor).reduce((n, c) => n + c.numRuns, 0)).toBe(50);
    expect(Math.max(...chunks.map((c) => c.numRuns))).toBe(15);
  });

  it("has no smoke chunks when asked for none (a family run on its own)", () => {
    expect(planChunks(1_000, 1_000, false).every((c) => !c.smoke && c.numRuns === CHUNK_RUNS)).toBe(true);
  });

  it("property: the runs add up, no chunk straddles the floor, the plan depends on the counts only", () => {
    fc.assert(
      fc.property(fc.nat(3_000), fc.nat(3_000), fc.boolean(), (runs, floor, smoke) => {
        const chunks = planChunks(runs, floor, smoke);
        let planned = 0;
        for (const chunk of chunks) {
          if (chunk.numRuns < 1 || chunk.numRuns > CHUNK_RUNS) return false;
          // Beyond the floor means every one of its runs is; below it, none is.
          if (chunk.beyondFloor !== planned >= floor) return false;
          if (!chunk.beyondFloor && planned + chunk.numRuns > floor) return false;
          planned += chunk.numRuns;
        }
        return planned === runs && JSON.stringify(chunks) === JSON.stringify(planChunks(runs, floor, smoke));
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});
