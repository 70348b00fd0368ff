/** The gate's clock, in whole epoch seconds; injected so tests and the fuzzer control time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

export function fixedClock(epochSeconds: number): Clock & { set(seconds: number): void } {
  let current = epochSeconds;
  return { now: () => current, set: (seconds) => void (current = seconds) };
}
