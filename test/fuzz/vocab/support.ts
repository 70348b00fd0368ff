import { deriveKeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { familyContext } from "../../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../../src/fuzz/engine/seed-corpus.js";
import type { FamilyContext } from "../../../src/fuzz/types.js";

export const NOW = 1_781_265_600;

/** The context every family renders in: the keyring under test, a fixed clock, the seed corpus. */
export async function vocabContext(salt = "vocab"): Promise<FamilyContext> {
  return familyContext(await deriveKeyringUnderTest(salt), NOW, salt, await loadSeedCorpus());
}
