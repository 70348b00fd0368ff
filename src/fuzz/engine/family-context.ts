import type { FamilyContext, SeedCorpus } from "../types.js";
import type { KeyringUnderTest } from "../keyring/under-test.js";

/** What every family builds from: the run's keys, clock, salt and seeds. Runs, replays and tests agree. */
export function familyContext(
  kut: KeyringUnderTest,
  now: number,
  salt: string,
  corpus: SeedCorpus,
  cloneDatabase?: string,
): FamilyContext {
  const base = { keyring: kut.keyring, kids: kut.kids, strangerKeyring: kut.stranger, now, salt, corpus };
  return cloneDatabase === undefined ? base : { ...base, cloneDatabase };
}
