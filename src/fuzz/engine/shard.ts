import { FailclosedError } from "../../kernel/errors.js";

export interface Shard {
  /** 1-based, as written on the command line. */
  readonly index: number;
  readonly total: number;
}

/** "I/N" with 1 <= I <= N <= 64. */
export function parseShard(text: string): Shard {
  const match = /^([0-9]{1,2})\/([0-9]{1,2})$/.exec(text);
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (match === null || index < 1 || total < 1 || index > total || total > 64) {
    throw new FailclosedError("USAGE", "--shard takes I/N with 1 <= I <= N <= 64, e.g. 2/4");
  }
  return { index, total };
}

/**
 * Every shard runs every family, each with its share of the runs and its own sub-seed: shards
 * split families' seeds deterministically, and the release gate adds their runs back up.
 */
export function shareOfRuns(runs: number, shard: Shard | undefined): number {
  return shard === undefined ? runs : Math.ceil(runs / shard.total);
}
