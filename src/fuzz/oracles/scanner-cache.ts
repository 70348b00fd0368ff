/**
 * One scanner per set of canaries: building one costs about a millisecond (hundreds of encodings),
 * judging a probe must not. Keyed by content so a runner that copies the array per probe still hits.
 */
import { makeScanner, type CanaryScanner } from "../canary/scanner.js";

const MAX_ENTRIES = 8;
const cache = new Map<string, CanaryScanner>();

export function scannerFor(canaries: readonly string[]): CanaryScanner {
  const key = canaries.join("\u0000");
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const scanner = makeScanner(canaries);
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, scanner);
  return scanner;
}
