/**
 * How a family's runs are cut into fast-check runs ("chunks"), each with its own sub-seed derived
 * from the chunk's index, so the plan (and with it every probe's bytes) depends on the seed and
 * the run counts only, never on timing or scheduling.
 *
 * First come the smoke chunks, one run each, fired in interleaved rounds across every family
 * (engine.ts), so that every family fires its first probes within seconds of the start; then the
 * rest of the floor, then the runs beyond the floor, which only the budget bounds.
 */

/** Probes per fast-check run at most: small enough to stop promptly at a deadline or an interrupt. */
export const CHUNK_RUNS = 100;

/**
 * A floor is cut into about this many chunks, so that a slow family's chunk is as small a share
 * of its work as a fast family's: a scheduler that hands out chunks can then keep every family
 * moving (P08's 150 runs are chunks of 15, P01's 1,000 chunks of 100).
 */
export const FLOOR_SLICES = 10;

/** Runs of each family in the smoke round, one per round. */
export const SMOKE_ROUNDS = 3;

export interface Chunk {
  /** The chunk's index: its seed is deriveSeed(familySeed, index). */
  readonly index: number;
  readonly numRuns: number;
  /** Part of the smoke round (one run), fired before any family's long tail. */
  readonly smoke: boolean;
  /** All of its runs lie beyond the family's floor: the budget may skip or cut it. */
  readonly beyondFloor: boolean;
}

/**
 * The chunks for `runs` runs of which `floor` are the floor; with `smoke` the first few are single
 * runs. A chunk never straddles the floor, so floor runs are never subject to the budget.
 */
export function planChunks(runs: number, floor: number, smoke: boolean): Chunk[] {
  const chunks: Chunk[] = [];
  let planned = 0;
  const add = (numRuns: number, isSmoke: boolean): void => {
    chunks.push({ index: chunks.length, numRuns, smoke: isSmoke, beyondFloor: planned >= floor });
    planned += numRuns;
  };
  if (smoke) for (let round = 0; round < SMOKE_ROUNDS && planned < runs; round++) add(1, true);
  const size = Math.min(CHUNK_RUNS, Math.max(1, Math.ceil(floor / FLOOR_SLICES)));
  while (planned < runs) {
    const limit = planned < floor ? Math.min(runs, floor) : runs;
    add(Math.min(size, limit - planned), false);
  }
  return chunks;
}
