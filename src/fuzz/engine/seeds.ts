import { createHash, randomInt } from "node:crypto";
import { FailclosedError } from "../../kernel/errors.js";

/** The largest seed: fast-check takes 32-bit seeds, failclosed draws and accepts 31-bit ones. */
export const MAX_SEED = 2 ** 31 - 1;

/** A fresh seed in [0, MAX_SEED], as fast-check takes them; parseSeed accepts every one. */
export function randomSeed(): number {
  return randomInt(0, MAX_SEED + 1);
}

/**
 * --seed: a whole number in [0, MAX_SEED], written as failclosed prints seeds (decimal, no sign,
 * no leading zeros), so every printed seed is accepted and nothing else is.
 */
export function parseSeed(text: string): number {
  const seed = /^(0|[1-9][0-9]{0,9})$/.test(text) ? Number(text) : Number.NaN;
  if (!(seed <= MAX_SEED))
    throw new FailclosedError("USAGE", `--seed takes a whole number from 0 to ${MAX_SEED}`);
  return seed;
}

/** Derives a sub-seed deterministically from a seed and labels (family id, chunk, shard). */
export function deriveSeed(seed: number, ...labels: ReadonlyArray<string | number>): number {
  const digest = createHash("sha256")
    .update([seed, ...labels].join("\0"))
    .digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}

/** The run's salt: nonces and keys are derived from it, so reruns with a new seed never collide. */
export function saltFor(seed: number): string {
  return createHash("sha256").update(`failclosed salt\0${seed}`).digest("base64url").slice(0, 16);
}
