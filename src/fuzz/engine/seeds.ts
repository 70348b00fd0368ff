import { createHash, randomInt } from "node:crypto";

/** A fresh 31-bit seed, as fast-check takes them. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 31 - 1);
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
